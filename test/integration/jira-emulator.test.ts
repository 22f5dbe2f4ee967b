// The Jira Cloud emulator the later tests lean on: it must be as strict as Jira about who calls it,
// and answer the calls the app makes in Jira's shapes, with Jira's failures on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'atlassian-jwt';
import type { JiraSite } from '../../dev/jira/site.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let site: JiraSite;
let other: JiraSite;

beforeAll(async () => {
  h = await startHarness();
  [site, other] = await Promise.all([h.jira.createSite({ searchLagMs: 300 }), h.jira.createSite()]);
  await site.install(h.baseUrl);
  await other.install(h.baseUrl);
});
afterAll(async () => {
  await h.stop();
});

/** A REST call signed as our app signs it: iss = app key, HS256 with the site's secret, qsh of the call. */
async function call(s: JiraSite, method: string, pathAndQuery: string, body?: unknown, opts: { secret?: string; qsh?: string; headers?: Record<string, string> } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const token = jwt.encodeSymmetric(
    { iss: 'mailbridge', iat: now, exp: now + 60, qsh: opts.qsh ?? jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery), false, s.baseUrl) },
    opts.secret ?? s.sharedSecret,
  );
  const isForm = body instanceof FormData;
  const res = await fetch(`${s.baseUrl}${pathAndQuery}`, {
    method,
    headers: { authorization: `JWT ${token}`, ...(body === undefined || isForm ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & unknown[] };
}

const doc = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

describe('who may call', () => {
  it('refuses a call without a JWT, with another site\'s secret, or with a qsh for another request', async () => {
    expect((await fetch(`${site.baseUrl}/rest/api/3/project/search`)).status).toBe(401);
    expect((await call(site, 'GET', '/rest/api/3/project/search', undefined, { secret: other.sharedSecret })).status).toBe(401);
    const wrongQsh = jwt.createQueryStringHash(jwt.fromMethodAndUrl('GET', '/rest/api/3/myself'), false, site.baseUrl);
    expect((await call(site, 'GET', '/rest/api/3/project/search', undefined, { qsh: wrongQsh })).status).toBe(401);
    expect((await call(site, 'GET', '/rest/api/3/project/search')).status).toBe(200);
  });
});

describe('issues', () => {
  let key: string;

  it('creates an issue with a property, adds a comment, an attachment and a watcher', async () => {
    const created = await call(site, 'POST', '/rest/api/3/issue', {
      fields: { project: { id: '10000' }, issuetype: { id: '10001' }, summary: 'Printer on fire', description: doc('It is on fire.') },
      properties: [{ key: 'mailbridge.message', value: { messageId: '<fire@example.com>' } }],
    });
    expect(created.status).toBe(201);
    key = created.body.key as string;
    expect(key).toBe('SUP-1');

    expect((await call(site, 'POST', `/rest/api/3/issue/${key}/comment`, { body: doc('Still burning.') })).status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'note.txt');
    expect((await call(site, 'POST', `/rest/api/3/issue/${key}/attachments`, form)).status).toBe(403);
    const attached = await call(site, 'POST', `/rest/api/3/issue/${key}/attachments`, form, { headers: { 'X-Atlassian-Token': 'no-check' } });
    expect(attached.status).toBe(200);
    expect(attached.body[0]).toMatchObject({ filename: 'note.txt', size: 5 });
    expect((await call(site, 'POST', `/rest/api/3/issue/${key}/watchers`, '5b10ac8d82e05b22cc7d4ef5')).status).toBe(204);

    const issue = await call(site, 'GET', `/rest/api/3/issue/${key}?fields=summary,comment,attachment&properties=mailbridge.message`);
    expect(issue.body).toMatchObject({
      key,
      fields: { summary: 'Printer on fire', comment: { total: 1 }, attachment: [{ filename: 'note.txt' }] },
      properties: { 'mailbridge.message': { messageId: '<fire@example.com>' } },
    });
  });

  it('refuses what Jira refuses: a summary over 255 characters, a description that is not ADF', async () => {
    const long = await call(site, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'SUP' }, issuetype: { id: '10001' }, summary: 'x'.repeat(256) } });
    expect(long.status).toBe(400);
    expect(long.body.errors).toHaveProperty('summary');
    const plain = await call(site, 'POST', '/rest/api/3/issue', { fields: { project: { key: 'SUP' }, issuetype: { id: '10001' }, summary: 'ok', description: 'plain text' } });
    expect(plain.status).toBe(400);
    expect(plain.body.errors).toHaveProperty('description');
  });

  it('finds issues by property through /search/jql only once the index caught up, returning ids unless fields are asked', async () => {
    const created = await call(site, 'POST', '/rest/api/3/issue', {
      fields: { project: { key: 'SUP' }, issuetype: { id: '10001' }, summary: 'Fresh' },
      properties: [{ key: 'mailbridge.message', value: { messageId: '<fresh@example.com>' } }],
    });
    const jql = 'project = SUP AND issue.property[mailbridge.message].messageId = "<fresh@example.com>"';
    expect((await call(site, 'POST', '/rest/api/3/search/jql', { jql })).body.issues).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    expect((await call(site, 'POST', '/rest/api/3/search/jql', { jql })).body.issues).toEqual([{ id: created.body.id }]);
    const withFields = await call(site, 'GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}&fields=summary`);
    expect(withFields.body.issues).toMatchObject([{ key: created.body.key, fields: { summary: 'Fresh' } }]);
    expect((await call(site, 'GET', '/rest/api/3/search?jql=project=SUP')).status).toBe(410);
  });

  it('lists users (hiding emails their profile hides), projects and issue types', async () => {
    const users = await call(site, 'GET', '/rest/api/3/user/search?query=harper%40example.com');
    expect(users.body).toHaveLength(1);
    expect(users.body[0]).not.toHaveProperty('emailAddress');
    expect((await call(site, 'GET', '/rest/api/3/user/search?query=sam%40example.com')).body[0]).toMatchObject({ emailAddress: 'sam@example.com' });
    expect((await call(site, 'GET', '/rest/api/3/project/search')).body).toMatchObject({ total: 2, values: [{ key: 'SUP' }, { key: 'OPS' }] });
    expect(((await call(site, 'GET', '/rest/api/3/issuetype/project?projectId=10000')).body as { name: string }[]).map((t) => t.name)).toEqual(['Task', 'Bug', 'Subtask']);
  });
});

describe('failures on demand', () => {
  it('answers 429 with Retry-After, then 503, then recovers', async () => {
    site.fail({ status: 429, retryAfter: 3, path: /project\/search/ });
    site.fail({ status: 503, path: /project\/search/ });
    const limited = await call(site, 'GET', '/rest/api/3/project/search');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await call(site, 'GET', '/rest/api/3/project/search')).status).toBe(503);
    expect((await call(site, 'GET', '/rest/api/3/project/search')).status).toBe(200);
  });

  it('keeps its sites apart', () => {
    expect(other.state.issues).toEqual([]);
    expect(site.requests.some((r) => r.path === '/rest/api/3/issue' && r.status === 201)).toBe(true);
  });
});
