// Every route but the few public ones answers 401 to a missing, malformed, expired, wrongly signed or
// wrong-qsh JWT. The routes are read from the router, so a new route is covered the day it is added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'atlassian-jwt';
import type { JiraSite } from '../../dev/jira/site.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { listRoutes, type Route } from '../helpers/routes.js';

/**
 * Routes meant for anyone: the descriptor Jira reads, the health check, the root redirect, the page
 * for Workspace admins, and Google's redirect back (authenticated by its signed state instead:
 * test/integration/authorize.test.ts).
 */
const PUBLIC = new Set(['GET /atlassian-connect.json', 'GET /healthz', 'GET /', 'GET /help/google-workspace', 'GET /oauth/google/callback']);

let h: Harness;
let site: JiraSite;
let routes: Route[];

beforeAll(async () => {
  h = await startHarness();
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  routes = listRoutes(h.web.app).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
});
afterAll(async () => {
  await h.stop();
});

const concrete = (path: string) => path.replace(/:[a-zA-Z]+/g, '5f2b6c1e-8d0a-4e3b-9c77-1a2b3c4d5e6f');

/** The bad tokens, each made for the very request it is sent with. */
const badTokens: [string, (method: string, url: string) => string | undefined][] = [
  ['missing', () => undefined],
  ['malformed', () => 'not.a.jwt'],
  ['expired', (m, u) => site.token(m, u, { expiresIn: -30 })],
  ['wrongly signed', (m, u) => site.token(m, u, { secret: 'some-other-secret-entirely-0123456789' })],
  ['wrong qsh', (m, u) => site.token(m, u, { qsh: jwt.createQueryStringHash(jwt.fromMethodAndUrl('GET', '/elsewhere'), false, h.baseUrl) })],
  ['without expiry', (m, u) => site.token(m, u, { omitExp: true })],
  ['of an unknown issuer', (m, u) => site.token(m, u, { iss: 'not-an-installed-client-key' })],
];

describe('every authenticated route', () => {
  it('is found in the router (lifecycle, admin pages, API)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(expect.arrayContaining(['POST /installed', 'POST /uninstalled', 'GET /admin/message-sources', 'GET /api/message-sources', 'DELETE /api/message-outbounds/:id']));
  });

  for (const [kind, make] of badTokens) {
    it(`answers 401 to a ${kind} JWT`, async () => {
      const failures: string[] = [];
      for (const r of routes) {
        const path = concrete(r.path);
        const token = make(r.method, path);
        const res = await fetch(`${h.baseUrl}${path}`, {
          method: r.method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `JWT ${token}` } : {}) },
          body: r.method === 'GET' || r.method === 'DELETE' ? undefined : JSON.stringify({ name: 'x', type: 'IMAP_GMAIL_OAUTH', clientKey: site.clientKey, baseUrl: site.baseUrl }),
        });
        const body = (await res.json()) as { error?: { code?: string } };
        if (res.status !== 401 || !body.error?.code) failures.push(`${r.method} ${r.path}: ${res.status} ${JSON.stringify(body)}`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('the two kinds of token', () => {
  it('an admin page opens with the JWT Jira puts in its URL', async () => {
    const res = await fetch(site.pageUrl('/admin/message-sources'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Message Sources');
  });

  it('an admin page refuses a context token (it is only for the API)', async () => {
    const res = await fetch(`${h.baseUrl}/admin/message-sources?jwt=${site.contextToken()}`);
    expect(res.status).toBe(401);
  });

  it('the API takes a context token, and a token whose qsh is this request', async () => {
    expect((await fetch(`${h.baseUrl}/api/message-sources`, { headers: { authorization: `JWT ${site.contextToken()}` } })).status).toBe(200);
    const exact = site.token('GET', '/api/message-sources');
    expect((await fetch(`${h.baseUrl}/api/message-sources`, { headers: { authorization: `JWT ${exact}` } })).status).toBe(200);
  });
});
