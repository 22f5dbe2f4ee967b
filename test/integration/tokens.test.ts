// Access tokens: one per Google account, shared by IMAP and SMTP, refreshed before they expire, one
// refresh at a time; and the seventh-day death of tokens from an OAuth client left in "Testing".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { GoogleOAuth } from '../../src/google/oauth.js';
import { AccessTokens, CredentialRevokedError } from '../../src/google/tokens.js';
import { Credentials } from '../../src/store/credentials.js';
import { apiClient } from '../helpers/api.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let site: JiraSite;
let tenantId: string;

beforeAll(async () => {
  h = await startHarness({ google: true });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  tenantId = (await h.web.tenants.findByClientKey(site.clientKey))!.id;
});
afterAll(async () => {
  await h.stop();
});

async function authorize(email: string): Promise<string> {
  const api = apiClient(h.baseUrl, site);
  const started = await api<{ id: string; url: string }>('POST', '/api/authorizations', { kind: 'source' });
  const consent = await h.google!.consent(started.body.url, { account: email });
  await fetch(consent.location!);
  return (await api<{ credentialId: string }>('GET', `/api/authorizations/${started.body.id}`)).body.credentialId;
}

/** A token service of our own with a clock the test moves. */
function tokensAt(clock: { now: number }) {
  const google = new GoogleOAuth(h.config.google, `${h.baseUrl}/oauth/google/callback`);
  return new AccessTokens(google, new Credentials(h.db, h.keyring), () => clock.now);
}

describe('access tokens', () => {
  it('are reused while they have more than five minutes left, and refreshed before they expire', async () => {
    const credentialId = await authorize('help@acme.example');
    const clock = { now: Date.now() };
    const tokens = tokensAt(clock);
    const before = h.google!.accessTokensIssued('help@acme.example');
    const first = await tokens.get(tenantId, credentialId);
    expect(await tokens.get(tenantId, credentialId)).toBe(first);
    expect(h.google!.accessTokensIssued('help@acme.example')).toBe(before + 1);

    clock.now += 56 * 60 * 1000; // about four minutes before Google's hour is up
    const second = await tokens.get(tenantId, credentialId);
    expect(second).not.toBe(first);
    expect(h.google!.accessTokensIssued('help@acme.example')).toBe(before + 2);
  });

  it('are refreshed once when many connections ask at the same moment', async () => {
    const credentialId = await authorize('sales@acme.example');
    const tokens = tokensAt({ now: Date.now() });
    const before = h.google!.accessTokensIssued('sales@acme.example');
    const all = await Promise.all(Array.from({ length: 8 }, () => tokens.get(tenantId, credentialId)));
    expect(new Set(all).size).toBe(1);
    expect(h.google!.accessTokensIssued('sales@acme.example')).toBe(before + 1);
  });

  it('tell a refresh token that died on its seventh day (OAuth client in Testing) from other revocations', async () => {
    h.google!.addAccount({ email: 'week@acme.example', hd: 'acme.example' });
    const credentialId = await authorize('week@acme.example');
    await query(h.databaseUrl, `UPDATE "OAuthCredential" SET "authorizedAt" = now() - interval '7 days' WHERE id = $1`, [credentialId]);
    h.google!.expireRefreshTokensOf('week@acme.example');
    const err = await tokensAt({ now: Date.now() }).get(tenantId, credentialId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialRevokedError);
    expect((err as CredentialRevokedError).code).toBe('TESTING_APP_EXPIRED');
    const [row] = await query<{ status: string; statusReason: string }>(h.databaseUrl, 'SELECT status, "statusReason" FROM "OAuthCredential" WHERE id = $1', [credentialId]);
    expect(row).toEqual({ status: 'NEEDS_REAUTHORIZATION', statusReason: 'TESTING_APP_EXPIRED' });
  });
});
