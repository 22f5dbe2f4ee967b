// Installing and uninstalling the app, as Jira Cloud does it today (signed-install: RS256 with a key
// from the install-keys CDN, audience = our baseUrl), against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstallKey } from '../../dev/jira/emulator.js';
import type { JiraSite } from '../../dev/jira/site.js';
import { dumpDatabase, query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { seedSource } from '../helpers/seed.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const tenantCount = async (clientKey: string) =>
  (await query<{ n: string }>(h.databaseUrl, 'SELECT count(*)::text AS n FROM "Tenant" WHERE "clientKey" = $1', [clientKey]))[0]!.n;

async function apiAs(site: JiraSite, path: string, init: RequestInit = {}) {
  return fetch(`${h.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `JWT ${site.contextToken()}`, 'content-type': 'application/json', ...init.headers },
  });
}

describe('install', () => {
  it('stores the tenant with its shared secret sealed, and answers 204', async () => {
    const site = await h.jira.createSite();
    const res = await site.install(h.baseUrl);
    expect(res.status).toBe(204);

    const [row] = await query<{ baseUrl: string; sharedSecretCipher: Buffer; sharedSecretKeyId: string }>(
      h.databaseUrl,
      'SELECT "baseUrl", "sharedSecretCipher", "sharedSecretKeyId" FROM "Tenant" WHERE "clientKey" = $1',
      [site.clientKey],
    );
    expect(row?.baseUrl).toBe(site.baseUrl);
    expect(row?.sharedSecretKeyId).toMatch(/^[0-9a-f]{12}$/);
    const dump = await dumpDatabase(h.databaseUrl);
    expect(dump).toContain(site.clientKey);
    expect(dump).not.toContain(site.sharedSecret);
    expect(dump).not.toContain(Buffer.from(site.sharedSecret).toString('hex'));
    expect(h.logs.join('')).not.toContain(site.sharedSecret);

    // The stored secret works: the site's tokens are accepted.
    expect((await apiAs(site, '/api/installation')).status).toBe(200);
  });

  const refused: [string, Parameters<JiraSite['install']>[1], string][] = [
    ['a signature by another key under the CDN key id', { signingKey: makeInstallKey() }, 'JWT_INVALID'],
    ['a key id the CDN does not know', { signingKey: makeInstallKey(), kid: 'f00dfeed-0000-4000-8000-000000000000' }, 'JWT_UNKNOWN_KEY'],
    ['another audience', { aud: ['https://evil.example.com'] }, 'JWT_WRONG_AUDIENCE'],
    ['an expired token', { expiresIn: -60 }, 'JWT_EXPIRED'],
    ['a wrong query string hash', { qsh: 'not-the-hash' }, 'JWT_QSH_MISMATCH'],
    ['an issuer other than the installing clientKey', { iss: 'someone-else' }, 'JWT_WRONG_ISSUER'],
    ['no token at all', { omitToken: true }, 'JWT_MISSING'],
  ];
  for (const [what, tamper, code] of refused) {
    it(`refuses ${what} with 401 (${code}) and stores nothing`, async () => {
      const site = await h.jira.createSite();
      const res = await site.install(h.baseUrl, tamper);
      expect(res.status).toBe(401);
      expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe(code);
      expect(res.body).not.toMatch(/eyJ/);
      expect(await tenantCount(site.clientKey)).toBe('0');
    });
  }

  it('on a re-install of the same clientKey, takes the new shared secret and keeps the Message Sources', async () => {
    const site = await h.jira.createSite();
    await site.install(h.baseUrl);
    await seedSource(h, site, { name: 'Support inbox', type: 'IMAP_GMAIL_OAUTH' });
    const oldSecret = site.sharedSecret;
    const oldToken = site.contextToken();

    expect((await site.install(h.baseUrl)).status).toBe(204);
    expect(site.sharedSecret).not.toBe(oldSecret);
    expect(await tenantCount(site.clientKey)).toBe('1');

    const stale = await fetch(`${h.baseUrl}/api/message-sources`, { headers: { authorization: `JWT ${oldToken}` } });
    expect(stale.status).toBe(401);
    const list = (await (await apiAs(site, '/api/message-sources')).json()) as { name: string }[];
    expect(list.map((s) => s.name)).toEqual(['Support inbox']);
  });
});

describe('uninstall', () => {
  it('deletes the secrets at once, marks the data for removal, and a re-install brings the sources back', async () => {
    const site = await h.jira.createSite();
    await site.install(h.baseUrl);
    await seedSource(h, site, { name: 'Plain', type: 'IMAP', host: 'imap.example.com', port: 993, username: 'help@example.com', password: 'hunter2-imap' });
    const token = site.contextToken();

    expect((await site.uninstall()).status).toBe(204);
    const [row] = await query<{ sharedSecretCipher: Buffer | null; uninstalledAt: Date | null; removeAfter: Date | null }>(
      h.databaseUrl,
      'SELECT "sharedSecretCipher", "uninstalledAt", "removeAfter" FROM "Tenant" WHERE "clientKey" = $1',
      [site.clientKey],
    );
    expect(row?.sharedSecretCipher).toBeNull();
    expect(row?.uninstalledAt).toBeInstanceOf(Date);
    const days = (row!.removeAfter!.getTime() - row!.uninstalledAt!.getTime()) / 86_400_000;
    expect(days).toBe(h.config.uninstallRetentionDays);
    const [source] = await query<{ passwordCipher: Buffer | null }>(
      h.databaseUrl,
      'SELECT s."passwordCipher" FROM "MessageSource" s JOIN "Tenant" t ON t.id = s."tenantId" WHERE t."clientKey" = $1',
      [site.clientKey],
    );
    expect(source?.passwordCipher).toBeNull();

    // A token signed with the old secret no longer opens anything.
    expect((await fetch(`${h.baseUrl}/api/message-sources`, { headers: { authorization: `JWT ${token}` } })).status).toBe(401);

    expect((await site.install(h.baseUrl)).status).toBe(204);
    const list = (await (await apiAs(site, '/api/message-sources')).json()) as { name: string; hasPassword: boolean }[];
    expect(list).toMatchObject([{ name: 'Plain', hasPassword: false }]);
  });

  it('refuses a forged uninstall and keeps the tenant installed', async () => {
    const site = await h.jira.createSite();
    await site.install(h.baseUrl);
    expect((await site.uninstall({ signingKey: makeInstallKey() })).status).toBe(401);
    expect((await site.uninstall({ expiresIn: -10 })).status).toBe(401);
    expect((await apiAs(site, '/api/installation')).status).toBe(200);
  });

  it('purges a tenant once its retention has passed', async () => {
    const site = await h.jira.createSite();
    await site.install(h.baseUrl);
    await site.uninstall();
    const later = new Date(Date.now() + (h.config.uninstallRetentionDays + 1) * 86_400_000);
    expect(await h.web.tenants.purgeUninstalled(later)).toBeGreaterThanOrEqual(1);
    expect(await tenantCount(site.clientKey)).toBe('0');
  });
});
