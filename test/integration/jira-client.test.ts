// Our Jira client against the emulator: signed as Jira expects, patient with 429 and 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraEmulator } from '../../dev/jira/emulator.js';
import type { JiraSite } from '../../dev/jira/site.js';
import { ConnectJiraClient, JiraError, retryAfterMs } from '../../src/jira/client.js';
import { mediaOf } from '../../src/jira/issues.js';
import { listIssueTypes, listProjects } from '../../src/jira/projects.js';

let jira: JiraEmulator;
let site: JiraSite;
let client: ConnectJiraClient;

beforeAll(async () => {
  jira = await JiraEmulator.start();
  site = await jira.createSite();
  site.app = { key: 'mailbridge', baseUrl: 'http://127.0.0.1:9', descriptor: {} };
  client = new ConnectJiraClient({ baseUrl: site.baseUrl, appKey: 'mailbridge', sharedSecret: site.sharedSecret }, { attempts: 3, baseDelayMs: 10, maxDelayMs: 2_000 });
});
afterAll(async () => {
  await jira.stop();
});

describe('the Jira client', () => {
  it('lists projects and the issue types an issue can be created with', async () => {
    expect(await listProjects(client)).toEqual([
      { id: '10000', key: 'SUP', name: 'Support' },
      { id: '10010', key: 'OPS', name: 'Operations' },
    ]);
    expect((await listIssueTypes(client, '10000')).map((t) => t.name)).toEqual(['Task', 'Bug']);
  });

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    site.fail({ status: 429, retryAfter: 1, path: /project\/search/ });
    const started = Date.now();
    expect(await listProjects(client)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries a 5xx, and names the problem when Jira keeps failing', async () => {
    site.fail({ status: 503, path: /project\/search/, times: 2 });
    expect(await listProjects(client)).toHaveLength(2);
    site.fail({ status: 503, path: /project\/search/, times: 3 });
    await expect(listProjects(client)).rejects.toMatchObject({ code: 'JIRA_UNAVAILABLE', status: 503 });
  });

  it('does not retry a refusal, and reports Jira\'s own reason', async () => {
    const err = (await client.request('POST', '/rest/api/3/issue', { json: { fields: { summary: 'x' } } }).catch((e: unknown) => e)) as JiraError;
    expect(err).toBeInstanceOf(JiraError);
    expect(err).toMatchObject({ code: 'JIRA_REJECTED', status: 400 });
    expect(err.errors).toHaveProperty('project');
  });

  it('is refused by a site whose secret it does not hold', async () => {
    const stranger = new ConnectJiraClient({ baseUrl: site.baseUrl, appKey: 'mailbridge', sharedSecret: 'not-the-secret' });
    await expect(listProjects(stranger)).rejects.toMatchObject({ code: 'JIRA_REJECTED', status: 401 });
  });

  it("learns an attachment's media file from its download redirect, without following it (also after a 503)", async () => {
    const issue = site.state.createIssue({ projectId: '10000', issueTypeId: '10001', summary: 'With a file', description: null, reporterAccountId: null, creatorAccountId: site.state.appAccountId }, new Map());
    const file = site.state.addAttachment(issue, { filename: 'shot.png', mimeType: 'image/png', size: 3, content: Buffer.from('png'), authorAccountId: site.state.appAccountId });
    site.fail({ status: 503, path: /attachment\/content/ });
    expect(await mediaOf(client, file.id)).toEqual({ id: file.mediaId, collection: '' });
    // An answer without a redirect is no media file, and no error.
    expect(await client.location(`/rest/api/3/attachment/content/${file.id}`, { query: { redirect: 'false' } })).toBeUndefined();
    await expect(mediaOf(client, '99999')).rejects.toMatchObject({ code: 'JIRA_REJECTED', status: 404 });
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
