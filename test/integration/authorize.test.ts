// Authorize, through the Google emulator: the consent URL we build, the callback's checks of state,
// account and scopes, and what the admin UI reads back. Nothing here needs a mail server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { StateSigner } from '../../src/google/state.js';
import { apiClient } from '../helpers/api.js';
import { dumpDatabase, query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let site: JiraSite;
let api: ReturnType<typeof apiClient>;
/** Every answer the browser got, to check that none ever held a token. */
const seen: string[] = [];

interface Started {
  id: string;
  url: string;
}
interface Outcome {
  id: string;
  status: string;
  email?: string;
  credentialId?: string;
  error?: { code: string; message: string; action: string; link?: { url: string } };
}

beforeAll(async () => {
  h = await startHarness({ google: true });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  api = apiClient(h.baseUrl, site, seen);
});
afterAll(async () => {
  await h.stop();
});

const google = () => h.google!;
const credentialCount = async () => Number((await query<{ n: string }>(h.databaseUrl, 'SELECT count(*)::text AS n FROM "OAuthCredential"'))[0]!.n);

async function start(body: Record<string, unknown> = { kind: 'source' }): Promise<Started> {
  const res = await api<Started>('POST', '/api/authorizations', body);
  expect(res.status).toBe(201);
  return res.body;
}

/** Google's redirect back to us, as the browser follows it. */
async function callback(location: string) {
  const res = await fetch(location);
  const html = await res.text();
  seen.push(html);
  return { status: res.status, html };
}

async function consentAndReturn(url: string, choice: Parameters<ReturnType<typeof google>['consent']>[1]) {
  const consent = await google().consent(url, choice);
  expect(consent.location, consent.html).toMatch(/\/oauth\/google\/callback\?/);
  return callback(consent.location!);
}

const outcome = async (id: string) => (await api<Outcome>('GET', `/api/authorizations/${id}`)).body;

describe('the consent URL', () => {
  it('asks Google for offline access to Gmail, the account chooser, and the account already typed', async () => {
    const { url } = await start({ kind: 'source', loginHint: 'help@acme.example' });
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe(google().authUrl);
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent select_account',
      include_granted_scopes: 'true',
      login_hint: 'help@acme.example',
      response_type: 'code',
      redirect_uri: `${h.baseUrl}/oauth/google/callback`,
    });
    expect(u.searchParams.get('scope')!.split(' ').sort()).toEqual(['email', 'https://mail.google.com/', 'openid']);
    expect(u.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
  });
});

describe('a Workspace account that allows access', () => {
  let attempt: Started;
  let location: string;

  it('is stored with its refresh token sealed, and the UI learns the email both ways', async () => {
    attempt = await start();
    const consent = await google().consent(attempt.url, { account: 'help@acme.example' });
    location = consent.location!;
    const page = await callback(location);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Authorized');
    // The page tells its opener (the admin page, on our origin) what happened.
    expect(page.html).toContain(`window.opener.postMessage(message, "${new URL(h.baseUrl).origin}")`);
    expect(page.html).toContain('"type":"mailbridge:authorization"');
    expect(page.html).toContain(`"id":"${attempt.id}"`);

    const o = await outcome(attempt.id);
    expect(o).toMatchObject({ status: 'AUTHORIZED', email: 'help@acme.example', credentialId: expect.any(String) });

    const refreshTokens = google().refreshTokensOf('help@acme.example');
    expect(refreshTokens.length).toBeGreaterThan(0);
    const dump = await dumpDatabase(h.databaseUrl);
    for (const t of refreshTokens) expect(dump).not.toContain(t);
    expect(dump).toContain('help@acme.example');
  });

  it('refuses the same state a second time (replay) and stores nothing', async () => {
    const before = await credentialCount();
    const again = await callback(location);
    expect(again.status).toBe(400);
    expect(again.html).toContain('already been used');
    expect(await credentialCount()).toBe(before);
    expect((await outcome(attempt.id)).status).toBe('AUTHORIZED');
  });
});

describe('a state that is not good', () => {
  it('refuses a forged state', async () => {
    const before = await credentialCount();
    const page = await callback(`${h.baseUrl}/oauth/google/callback?state=eyJ2IjoxfQ.forged&code=whatever`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('not valid');
    expect(await credentialCount()).toBe(before);
  });

  it('refuses an expired one, without calling Google', async () => {
    const { id, url } = await start();
    await query(h.databaseUrl, `UPDATE "OAuthAttempt" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [id]);
    const consent = await google().consent(url, { account: 'help@acme.example' });
    const tokenCalls = google().tokenRequests.length;
    const page = await callback(consent.location!);
    expect(page.status).toBe(400);
    expect(page.html).toContain('expired');
    expect(google().tokenRequests.length).toBe(tokenCalls);
    expect((await outcome(id)).status).toBe('EXPIRED');
  });

  it("refuses another tenant's: its attempt cannot be read there, nor claimed with a state naming that tenant", async () => {
    const other = await h.jira.createSite();
    await other.install(h.baseUrl);
    const { id, url } = await start();
    expect((await apiClient(h.baseUrl, other)('GET', `/api/authorizations/${id}`)).status).toBe(404);

    // A state validly signed but naming the other tenant (as a bug or a leaked key would make one).
    const otherTenant = (await h.web.tenants.findByClientKey(other.clientKey))!;
    const signer = new StateSigner(h.keyring.derive('oauth-state'));
    const original = signer.verify(new URL(url).searchParams.get('state')!);
    if (typeof original === 'string') throw new Error(original);
    const crossed = signer.sign({ ...original, tenantId: otherTenant.id });
    const before = await credentialCount();
    const page = await callback(`${h.baseUrl}/oauth/google/callback?state=${crossed}&code=whatever`);
    expect(page.status).toBe(400);
    expect(await credentialCount()).toBe(before);
    expect((await outcome(id)).status).toBe('PENDING');
  });
});

describe('what Google or the user can refuse', () => {
  it('a personal Google account: refused with the reason, and the grant given back', async () => {
    const { id, url } = await start();
    const before = await credentialCount();
    const page = await consentAndReturn(url, { account: 'someone@gmail.com' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('Personal Google accounts are not supported, only Google Workspace accounts');
    expect((await outcome(id)).error?.code).toBe('PERSONAL_ACCOUNT');
    expect(await credentialCount()).toBe(before);
    expect(google().refreshTokensOf('someone@gmail.com')).toEqual([]);
  });

  it('Cancel on the consent screen: try again, or have the Workspace admin trust the app', async () => {
    const { id, url } = await start();
    await consentAndReturn(url, { account: 'help@acme.example', decision: 'cancel' });
    const o = await outcome(id);
    expect(o).toMatchObject({ status: 'FAILED', error: { code: 'ACCESS_DENIED', link: { url: `${h.baseUrl}/help/google-workspace` } } });
    expect(o.error!.action).toMatch(/Authorize again/);
  });

  it('admin_policy_enforced: Google keeps the user on its own page, the attempt stays pending for the UI to explain', async () => {
    google().blockDomain('acme.example');
    try {
      const { id, url } = await start();
      const consent = await google().consent(url, { account: 'help@acme.example' });
      expect(consent.location).toBeUndefined();
      expect(consent.html).toContain('admin_policy_enforced');
      expect((await outcome(id)).status).toBe('PENDING');
    } finally {
      google().blockDomain('acme.example', false);
    }
  });

  it('a Workspace policy that denies: access_denied, pointing at the trust page', async () => {
    google().denyByPolicy('acme.example');
    try {
      const { id, url } = await start();
      await consentAndReturn(url, { account: 'help@acme.example' });
      expect((await outcome(id)).error).toMatchObject({ code: 'ACCESS_DENIED', link: { url: expect.stringContaining('/help/google-workspace') } });
    } finally {
      google().denyByPolicy('acme.example', false);
    }
  });

  it('another account than the Username typed: explained, with the private-window advice', async () => {
    const { id, url } = await start({ kind: 'source', loginHint: 'help@acme.example' });
    const page = await consentAndReturn(url, { account: 'sales@acme.example' });
    expect(page.status).toBe(400);
    const o = await outcome(id);
    expect(o.error?.code).toBe('WRONG_ACCOUNT');
    expect(o.error?.message).toContain('sales@acme.example');
    expect(o.error?.action).toMatch(/private \(incognito\) window/);
  });

  it('Gmail unticked on the consent screen: refused, asking to leave it ticked', async () => {
    // A fresh account: Google carries earlier grants forward (include_granted_scopes).
    google().addAccount({ email: 'ops@acme.example', hd: 'acme.example' });
    const { id, url } = await start();
    await consentAndReturn(url, { account: 'ops@acme.example', uncheck: ['https://mail.google.com/'] });
    expect((await outcome(id)).error?.code).toBe('SCOPE_NOT_GRANTED');
  });
});

describe('secrets', () => {
  it('no answer to the browser ever held a token or the client secret', () => {
    const tokens = ['help@acme.example', 'sales@acme.example', 'someone@gmail.com'].flatMap((e) => google().refreshTokensOf(e));
    const all = seen.join('\n');
    for (const t of tokens) expect(all).not.toContain(t);
    expect(all).not.toMatch(/ya29\.|1\/\//);
    expect(all).not.toContain(h.config.google.client!.secret);
    expect(h.logs.join('')).not.toMatch(/ya29\.[\w-]{8}|1\/\/[\w-]{8}/);
    expect(h.logs.join('')).not.toContain(h.config.google.client!.secret);
  });
});

describe('an authorization no connection ever used', () => {
  it('is given back at Google after a day, by the hourly purge', async () => {
    h.google!.addAccount({ email: 'abandoned@acme.example', hd: 'acme.example' });
    const { url } = await start();
    await consentAndReturn(url, { account: 'abandoned@acme.example' });
    expect(h.google!.refreshTokensOf('abandoned@acme.example')).toHaveLength(1);
    await query(h.databaseUrl, `UPDATE "OAuthCredential" SET "authorizedAt" = now() - interval '2 days' WHERE email = 'abandoned@acme.example'`);
    expect((await h.web.purge()).credentials).toBeGreaterThanOrEqual(1);
    expect(h.google!.refreshTokensOf('abandoned@acme.example')).toEqual([]);
    expect((await query(h.databaseUrl, `SELECT 1 FROM "OAuthCredential" WHERE email = 'abandoned@acme.example'`)).length).toBe(0);
  });
});

describe('without a Google client configured', () => {
  it('Authorize answers 503 and says what the operator must set', async () => {
    const bare = await startHarness();
    try {
      const s = await bare.jira.createSite();
      await s.install(bare.baseUrl);
      const res = await apiClient(bare.baseUrl, s)<{ error: { code: string; explanation: { action: string } } }>('POST', '/api/authorizations', { kind: 'source' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('GOOGLE_NOT_CONFIGURED');
      expect(res.body.error.explanation.action).toContain('GOOGLE_CLIENT_ID');
    } finally {
      await bare.stop();
    }
  });
});
