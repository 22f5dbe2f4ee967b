// Tenant isolation: a JWT of tenant A can never read or change tenant B's rows, whatever id it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { apiClient } from '../helpers/api.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { seedOutbound, seedSource } from '../helpers/seed.js';

let h: Harness;
let a: JiraSite;
let b: JiraSite;
let asA: ReturnType<typeof apiClient>;
let asB: ReturnType<typeof apiClient>;

beforeAll(async () => {
  h = await startHarness();
  [a, b] = await Promise.all([h.jira.createSite(), h.jira.createSite()]);
  await a.install(h.baseUrl);
  await b.install(h.baseUrl);
  asA = apiClient(h.baseUrl, a);
  asB = apiClient(h.baseUrl, b);
});
afterAll(async () => {
  await h.stop();
});

describe.each([
  ['Message Source', '/api/message-sources', { name: 'Support', type: 'IMAP_GMAIL_OAUTH' as const }, 'MessageSource', seedSource],
  ['Message Outbound', '/api/message-outbounds', { name: 'Replies', type: 'SMTP_GMAIL_OAUTH' as const }, 'MessageOutbound', seedOutbound],
] as const)('a %s of tenant A', (_label, path, input, table, seed) => {
  let id: string;

  beforeAll(async () => {
    id = (await (seed as (h: Harness, s: JiraSite, i: typeof input) => Promise<{ id: string }>)(h, a, input)).id;
  });

  it('is not listed for tenant B', async () => {
    expect((await asB<unknown[]>('GET', path)).body).toEqual([]);
    expect((await asA<{ id: string }[]>('GET', path)).body.map((r) => r.id)).toEqual([id]);
  });

  it('cannot be read, changed or deleted by tenant B, which sees a plain 404', async () => {
    expect((await asB('GET', `${path}/${id}`)).status).toBe(404);
    expect((await asB('PATCH', `${path}/${id}`, { name: 'Taken over' })).status).toBe(404);
    expect((await asB('DELETE', `${path}/${id}`)).status).toBe(404);
    expect((await asB('POST', `${path}/${id}/test`)).status).toBe(404);
    const [row] = await query<{ name: string }>(h.databaseUrl, `SELECT name FROM "${table}" WHERE id = $1`, [id]);
    expect(row?.name).toBe(input.name);
  });

  it('tenant B may use the same Name for its own', async () => {
    await expect((seed as (h: Harness, s: JiraSite, i: typeof input) => Promise<unknown>)(h, b, input)).resolves.toBeTruthy();
  });
});

it('a token signed with tenant A\'s secret that claims to be tenant B is refused', async () => {
  const forged = a.token('GET', '/api/message-sources', { iss: b.clientKey });
  const res = await fetch(`${h.baseUrl}/api/message-sources`, { headers: { authorization: `JWT ${forged}` } });
  expect(res.status).toBe(401);
});
