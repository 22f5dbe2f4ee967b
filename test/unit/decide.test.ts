import { describe, expect, it } from 'vitest';
import { decide, issueKeyInSubject, summaryOf, threadMessageIds } from '../../src/ingest/decide.js';

const mail = (subject: string, extra: Partial<{ inReplyTo: string[]; references: string[]; messageId: string }> = {}) => ({
  subject,
  messageId: extra.messageId ?? '<new@example.com>',
  inReplyTo: extra.inReplyTo ?? [],
  references: extra.references ?? [],
});

describe('what an email becomes', () => {
  it('a comment when the subject names an issue of the project', () => {
    expect(decide(mail('[SUP-123] Printer on fire'), { projectKey: 'SUP', threadIssueKeys: [] })).toEqual({ kind: 'comment', issueKey: 'SUP-123', via: 'subject' });
    expect(decide(mail('Re: SUP-7 printer'), { projectKey: 'SUP', threadIssueKeys: [] })).toMatchObject({ issueKey: 'SUP-7' });
    expect(decide(mail('AW: re: sup-7: noch da'), { projectKey: 'SUP', threadIssueKeys: [] })).toMatchObject({ issueKey: 'SUP-7' });
  });

  it('not for keys of other projects, or things that only look like keys', () => {
    const ctx = { projectKey: 'SUP', threadIssueKeys: [] };
    expect(decide(mail('Re: OPS-5 outage'), ctx).kind).toBe('create');
    expect(issueKeyInSubject('MYSUP-5 and SUP-0 and SUP-12abc', 'SUP')).toBeUndefined();
    expect(issueKeyInSubject('ticket (SUP-42).', 'SUP')).toBe('SUP-42');
  });

  it('a comment when the thread names a Message-ID we know, even with a bare subject', () => {
    expect(decide(mail('Thanks!', { inReplyTo: ['<ours@mb>'] }), { projectKey: 'SUP', threadIssueKeys: ['SUP-9'] })).toEqual({ kind: 'comment', issueKey: 'SUP-9', via: 'thread' });
  });

  it('the subject wins over the thread', () => {
    expect(decide(mail('Re: [SUP-2]'), { projectKey: 'SUP', threadIssueKeys: ['SUP-9'] })).toMatchObject({ issueKey: 'SUP-2' });
  });

  it('otherwise a new issue, the subject its summary within Jira\'s 255 characters', () => {
    expect(decide(mail('  Printer\r\n on   fire '), { projectKey: 'SUP', threadIssueKeys: [] })).toEqual({ kind: 'create', summary: 'Printer on fire' });
    expect(summaryOf('')).toBe('(no subject)');
    const long = summaryOf('é'.repeat(300));
    expect(long).toHaveLength(255);
    expect(long.endsWith('…')).toBe(true);
    // Jira counts UTF-16 units: 200 emoji are 400, cut to 127 emoji and the ellipsis.
    const emoji = summaryOf('😀'.repeat(200));
    expect(emoji.length).toBeLessThanOrEqual(255);
    expect(emoji).toBe(`${'😀'.repeat(127)}…`);
  });

  it('looks up In-Reply-To first, then References newest first, without the mail itself', () => {
    expect(threadMessageIds(mail('x', { messageId: '<me@x>', inReplyTo: ['<b@x>'], references: ['<a@x>', '<b@x>', '<me@x>'] }))).toEqual(['<b@x>', '<a@x>']);
  });
});
