// Message Sources and Outbounds against real mail servers: Dovecot stands in for Gmail's IMAP and an
// SMTP server for Gmail's SMTP, both checking XOAUTH2 tokens at the Google emulator, as Gmail checks
// Google's. Submit saves only what works; a revoked account shows "Needs re-authorization" and is
// re-authorized in place; deleting the last user of an account revokes it at Google.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { apiClient } from '../helpers/api.js';
import { freePort } from '../../src/store/embedded-postgres.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let site: JiraSite;
let api: ReturnType<typeof apiClient>;
const seen: string[] = [];

interface Connection {
  id: string;
  name: string;
  type: string;
  username: string | null;
  status: string;
  statusExplanation: { code: string; message: string; action: string } | null;
  lastCheckedAt: string | null;
  credentialId: string | null;
}
type Failure = { error: { code: string; message: string; explanation?: { code: string; message: string; action: string }; fields?: Record<string, string> } };

beforeAll(async () => {
  h = await startHarness({ mail: true, passwordUsers: [{ user: 'legacy@example.com', password: 'imap-secret-1' }] });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  api = apiClient(h.baseUrl, site, seen);
}, 60_000);
afterAll(async () => {
  await h.stop();
});

/** Clicks Authorize and Allow as `email`; returns the credential the UI then submits. */
async function authorize(email: string, body: Record<string, unknown> = { kind: 'source' }): Promise<string> {
  const started = await api<{ id: string; url: string }>('POST', '/api/authorizations', body);
  const consent = await h.google!.consent(started.body.url, { account: email });
  seen.push(await (await fetch(consent.location!)).text());
  const outcome = await api<{ status: string; credentialId: string }>('GET', `/api/authorizations/${started.body.id}`);
  expect(outcome.body.status).toBe('AUTHORIZED');
  return outcome.body.credentialId;
}

describe('Gmail over OAuth', () => {
  let credentialId: string;
  let source: Connection;
  let outbound: Connection;

  it('a Message Source of Type IMAP GMAIL OAuth is tested with XOAUTH2 and saved, its Username filled', async () => {
    credentialId = await authorize('help@acme.example');
    const res = await api<Connection>('POST', '/api/message-sources', { name: 'Help desk', type: 'IMAP_GMAIL_OAUTH', credentialId, projectId: '10000', issueTypeId: '10001' });
    expect(res.status, res.text).toBe(201);
    source = res.body;
    expect(source).toMatchObject({ username: 'help@acme.example', status: 'AUTHORIZED', credentialId, statusExplanation: null });
    expect(source.lastCheckedAt).not.toBeNull();
  });

  it('a Message Outbound of Type SMTP GMAIL OAuth uses the same account and the same access token', async () => {
    const issued = h.google!.accessTokensIssued('help@acme.example');
    const res = await api<Connection>('POST', '/api/message-outbounds', { name: 'Help desk replies', type: 'SMTP_GMAIL_OAUTH', credentialId });
    expect(res.status, res.text).toBe(201);
    outbound = res.body;
    expect(outbound).toMatchObject({ username: 'help@acme.example', status: 'AUTHORIZED' });
    expect((await api<{ ok: boolean }>('POST', `/api/message-sources/${source.id}/test`)).body.ok).toBe(true);
    expect((await api<{ ok: boolean }>('POST', `/api/message-outbounds/${outbound.id}/test`)).body.ok).toBe(true);
    // IMAP and SMTP, four logins, all on the access token that came with the authorization.
    expect(h.google!.accessTokensIssued('help@acme.example')).toBe(issued);
  });

  it('refuses a Username other than the authorized account', async () => {
    const res = await api<Failure>('POST', '/api/message-sources', { name: 'Mismatch', type: 'IMAP_GMAIL_OAUTH', credentialId, username: 'sales@acme.example' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'USERNAME_MISMATCH', fields: { username: expect.stringContaining('help@acme.example') } });
  });

  it('refuses to save before Authorize, saying so', async () => {
    const res = await api<Failure>('POST', '/api/message-sources', { name: 'Not yet', type: 'IMAP_GMAIL_OAUTH' });
    expect(res.status).toBe(422);
    expect(res.body.error.explanation).toMatchObject({ code: 'NOT_AUTHORIZED', action: expect.stringContaining('Authorize') });
    expect((await api<Connection[]>('GET', '/api/message-sources')).body.map((s) => s.name)).not.toContain('Not yet');
  });

  it('shows "Needs re-authorization" on both when Google revokes the account (invalid_grant)', async () => {
    h.google!.revokeRefreshTokensOf('help@acme.example');
    const tested = await api<{ ok: boolean; problem: { code: string; action: string }; connection: Connection }>('POST', `/api/message-sources/${source.id}/test`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.problem).toMatchObject({ code: 'INVALID_GRANT', action: expect.stringContaining('Re-authorize') });
    expect(tested.body.connection.status).toBe('NEEDS_REAUTHORIZATION');
    const out = (await api<Connection>('GET', `/api/message-outbounds/${outbound.id}`)).body;
    expect(out).toMatchObject({ status: 'NEEDS_REAUTHORIZATION', statusExplanation: { code: 'INVALID_GRANT' } });
  });

  it('re-authorizes in place: same Message Source, working again, the Outbound with it', async () => {
    const again = await authorize('help@acme.example', { kind: 'source', targetId: source.id });
    const after = (await api<Connection>('GET', `/api/message-sources/${source.id}`)).body;
    expect(after).toMatchObject({ id: source.id, name: 'Help desk', status: 'AUTHORIZED', credentialId: again });
    expect((await api<{ ok: boolean }>('POST', `/api/message-sources/${source.id}/test`)).body.ok).toBe(true);
    expect((await api<Connection>('GET', `/api/message-outbounds/${outbound.id}`)).body.status).toBe('AUTHORIZED');
    expect((await api<{ ok: boolean }>('POST', `/api/message-outbounds/${outbound.id}/test`)).body.ok).toBe(true);
  });

  it('keeps the account while one connection uses it, and revokes it at Google with the last', async () => {
    expect((await api('DELETE', `/api/message-outbounds/${outbound.id}`)).status).toBe(204);
    expect(h.google!.refreshTokensOf('help@acme.example').length).toBeGreaterThan(0);
    expect((await api('DELETE', `/api/message-sources/${source.id}`)).status).toBe(204);
    expect(h.google!.refreshTokensOf('help@acme.example')).toEqual([]);
  });
});

describe('plain IMAP and SMTP with a password', () => {
  const legacy = { type: 'IMAP', host: '127.0.0.1', tls: false, username: 'legacy@example.com' } as const;

  it('saves a working mailbox, and refuses a wrong password with the reason', async () => {
    const ok = await api<Connection>('POST', '/api/message-sources', { ...legacy, name: 'Legacy', port: h.dovecot!.imapPort, password: 'imap-secret-1' });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.status).toBe('AUTHORIZED');

    const bad = await api<Failure>('POST', '/api/message-sources', { ...legacy, name: 'Legacy typo', port: h.dovecot!.imapPort, password: 'wrong' });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'CONNECTION_FAILED', explanation: { code: 'MAIL_AUTH_FAILED' } });
    expect((await api<Connection[]>('GET', '/api/message-sources')).body.map((s) => s.name)).not.toContain('Legacy typo');
  });

  it('names an unreachable server as such', async () => {
    const closed = await freePort();
    const res = await api<Failure>('POST', '/api/message-sources', { ...legacy, name: 'Nowhere', port: closed, password: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error.explanation).toMatchObject({ code: 'MAIL_UNREACHABLE', action: expect.stringContaining('host, port and TLS') });
  });

  it('saves a working SMTP relay', async () => {
    const res = await api<Connection>('POST', '/api/message-outbounds', {
      name: 'Relay',
      type: 'SMTP',
      host: '127.0.0.1',
      port: h.smtp!.port,
      tls: false,
      username: 'legacy@example.com',
      password: 'imap-secret-1',
    });
    expect(res.status, res.text).toBe(201);
  });

  it('re-tests an edit of the connection before saving it, and saves other edits directly', async () => {
    const [legacySource] = (await api<Connection[]>('GET', '/api/message-sources')).body.filter((s) => s.name === 'Legacy');
    const refused = await api<Failure>('PATCH', `/api/message-sources/${legacySource!.id}`, { password: 'changed-but-wrong' });
    expect(refused.status).toBe(422);
    expect((await api<{ ok: boolean }>('POST', `/api/message-sources/${legacySource!.id}/test`)).body.ok).toBe(true);
    const renamed = await api<Connection>('PATCH', `/api/message-sources/${legacySource!.id}`, { name: 'Legacy inbox' });
    expect(renamed.body.name).toBe('Legacy inbox');
  });
});

describe('uninstalling the app', () => {
  it('revokes the tenant\'s Google authorizations', async () => {
    const credentialId = await authorize('sales@acme.example', { kind: 'outbound' });
    expect((await api('POST', '/api/message-outbounds', { name: 'Sales', type: 'SMTP_GMAIL_OAUTH', credentialId })).status).toBe(201);
    expect(h.google!.refreshTokensOf('sales@acme.example').length).toBeGreaterThan(0);
    expect((await site.uninstall()).status).toBe(204);
    expect(h.google!.refreshTokensOf('sales@acme.example')).toEqual([]);
  });

  it('and no answer ever held a token', () => {
    const all = seen.join('\n');
    expect(all).not.toMatch(/ya29\.|1\/\//);
    expect(all).not.toContain('imap-secret-1');
  });
});
