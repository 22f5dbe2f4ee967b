import { describe, expect, it } from 'vitest';
import { JqlError, parseJql } from '../../dev/jira/jql.js';

describe("the Jira emulator's JQL", () => {
  it('parses the clauses the app uses', () => {
    expect(parseJql('project = SUP AND issue.property[mailbridge].messageId = "<a@b.c>" ORDER BY created ASC')).toEqual({
      clauses: [
        { field: 'project', op: '=', value: 'SUP' },
        { field: 'issue.property[mailbridge].messageId', op: '=', value: '<a@b.c>' },
      ],
      order: 'ASC',
    });
    expect(parseJql("key in (SUP-1, 'SUP-2')").clauses).toEqual([{ field: 'key', op: 'in', values: ['SUP-1', 'SUP-2'] }]);
    expect(parseJql('summary ~ "printer on fire"').clauses[0]).toEqual({ field: 'summary', op: '~', value: 'printer on fire' });
  });

  it('refuses what Jira would refuse', () => {
    expect(() => parseJql('project = ')).toThrow(JqlError);
    expect(() => parseJql('project != SUP')).toThrow(JqlError);
    expect(() => parseJql('project = SUP OR key = SUP-1')).toThrow(JqlError);
  });
});
