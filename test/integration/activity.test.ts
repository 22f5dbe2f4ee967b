// The per-source Activity view's API: what each mail became (with its reason and issue link), its raw
// message, and Reprocess; all of it for the caller's tenant only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { MESSAGE_PROPERTY } from '../../src/jira/issues.js';
import { contextFor } from '../../src/ingest/context.js';
import type { IngestContext } from '../../src/ingest/pipeline.js';
import { apiClient } from '../helpers/api.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mail, messageIdOf } from '../helpers/mail.js';
import { seedSource } from '../helpers/seed.js';
// The admin UI's own type of the answer: the test holds the server to what the client expects.
import type { ActivityItem } from '../../client/src/types.js';

let h: Harness;
let site: JiraSite;
let other: JiraSite;
let api: ReturnType<typeof apiClient>;
let otherApi: ReturnType<typeof apiClient>;
let tenantId: string;
let helpDesk: string;
let broken: string;

const ctxOf = (sourceId: string): Promise<IngestContext> => {
  const s = h.web.services;
  return contextFor({ db: h.db, sources: s.sources, jiraFor: (t) => s.jiraFor(t), tenantById: (id) => s.tenants.findById(id) }, tenantId, sourceId);
};
const issuesFor = (messageId: string) => site.state.issues.filter((i) => (i.properties.get(MESSAGE_PROPERTY) as { messageId?: string } | undefined)?.messageId === messageId);
const activityOf = async (sourceId: string) => {
  const r = await api<ActivityItem[]>('GET', `/api/message-sources/${sourceId}/activity?limit=50`);
  expect(r.status, r.text).toBe(200);
  return r.body;
};
const itemFor = async (sourceId: string, raw: Buffer) => (await activityOf(sourceId)).find((a) => a.messageId === messageIdOf(raw))!;

beforeAll(async () => {
  h = await startHarness();
  [site, other] = await Promise.all([h.jira.createSite(), h.jira.createSite()]);
  await site.install(h.baseUrl);
  await other.install(h.baseUrl);
  api = apiClient(h.baseUrl, site);
  otherApi = apiClient(h.baseUrl, other);
  tenantId = (await h.web.tenants.findByClientKey(site.clientKey))!.id;
  helpDesk = (await seedSource(h, site, { name: 'Help desk', type: 'IMAP_GMAIL_OAUTH', projectId: '10000', issueTypeId: '10001' })).id;
  // An Issue type the Project does not have: Jira refuses every issue, so its mail fails.
  broken = (await seedSource(h, site, { name: 'Broken', type: 'IMAP_GMAIL_OAUTH', projectId: '10000', issueTypeId: '99999' })).id;
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('the activity of a Message Source', () => {
  let created: Buffer;
  let ignored: Buffer;

  it('lists what each mail became, newest first: the issue created with its link, the ignored one with its reason', async () => {
    created = mail({ from: 'Carla <carla@customer.example>', subject: 'Printer on fire' });
    ignored = mail({ subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } });
    const ctx = await ctxOf(helpDesk);
    expect(await h.web.services.ingestion.process(ctx, { raw: created })).toEqual({ outcome: 'done' });
    expect(await h.web.services.ingestion.process(ctx, { raw: ignored })).toEqual({ outcome: 'done' });

    const items = await activityOf(helpDesk);
    expect(items.map((a) => a.outcome)).toEqual(['IGNORED', 'ISSUE_CREATED']);
    const [issue] = issuesFor(messageIdOf(created));
    expect(items[1]).toMatchObject({
      outcome: 'ISSUE_CREATED',
      issueKey: issue!.key,
      issueUrl: `${site.baseUrl}/browse/${issue!.key}`,
      subject: 'Printer on fire',
      sender: 'carla@customer.example',
      messageId: messageIdOf(created),
      reason: null,
      canReprocess: false,
    });
    expect(items[1]!.ledgerEntryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(items[0]).toMatchObject({ outcome: 'IGNORED', issueKey: null, issueUrl: null, canReprocess: true });
    expect(items[0]!.reason).toMatch(/^AUTO_REPLY: /);
  });

  it('gives the raw message back byte for byte, as a message/rfc822 download', async () => {
    const item = await itemFor(helpDesk, created);
    const res = await fetch(`${h.baseUrl}/api/message-sources/${helpDesk}/messages/${item.ledgerEntryId}/raw`, { headers: { authorization: `JWT ${site.contextToken()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._@+-]+\.eml"$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(created)).toBe(true);
  });

  it('is not another tenant\'s to see: 404 on the activity, the raw message and Reprocess', async () => {
    const item = await itemFor(helpDesk, created);
    expect((await otherApi('GET', `/api/message-sources/${helpDesk}/activity`)).status).toBe(404);
    expect((await otherApi('GET', `/api/message-sources/${helpDesk}/messages/${item.ledgerEntryId}/raw`)).status).toBe(404);
    expect((await otherApi('POST', `/api/message-sources/${helpDesk}/messages/${item.ledgerEntryId}/reprocess`)).status).toBe(404);
    // Nor another source's: the ledger row must belong to the source named.
    expect((await api('GET', `/api/message-sources/${broken}/messages/${item.ledgerEntryId}/raw`)).status).toBe(404);
    expect((await api('POST', `/api/message-sources/${broken}/messages/${item.ledgerEntryId}/reprocess`)).status).toBe(404);
  });

  it('Reprocess of a mail already made an issue finds that issue in Jira and creates no second one', async () => {
    const item = await itemFor(helpDesk, created);
    const before = site.state.issues.length;
    const r = await api<{ outcome: string; activity: ActivityItem }>('POST', `/api/message-sources/${helpDesk}/messages/${item.ledgerEntryId}/reprocess`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.outcome).toBe('done');
    expect(r.body.activity).toMatchObject({ outcome: 'ISSUE_CREATED', issueKey: item.issueKey, ledgerEntryId: item.ledgerEntryId });
    expect(site.state.issues.length).toBe(before);
    expect(issuesFor(messageIdOf(created))).toHaveLength(1);
  });

  it('Reprocess of a mail set aside after repeated failures creates its issue once the cause is fixed', async () => {
    const raw = mail({ subject: 'Cannot log in' });
    const ctx = await ctxOf(broken);
    // The first attempt and four more (Reprocess skips the wait): then the mail is set aside.
    expect((await h.web.services.ingestion.process(ctx, { raw })).outcome).toBe('retry');
    for (let i = 0; i < 4; i++) await h.web.services.ingestion.process(ctx, { raw }, { reprocess: true });
    const item = await itemFor(broken, raw);
    expect(item).toMatchObject({ outcome: 'QUARANTINED', canReprocess: true });
    expect(issuesFor(messageIdOf(raw))).toHaveLength(0);

    await query(h.databaseUrl, `UPDATE "MessageSource" SET "issueTypeId" = '10001' WHERE id = $1`, [broken]);
    const r = await api<{ outcome: string; activity: ActivityItem }>('POST', `/api/message-sources/${broken}/messages/${item.ledgerEntryId}/reprocess`);
    expect(r.status, r.text).toBe(200);
    const [issue] = issuesFor(messageIdOf(raw));
    expect(issue).toBeDefined();
    expect(r.body).toMatchObject({ outcome: 'done', activity: { outcome: 'ISSUE_CREATED', issueKey: issue!.key, issueUrl: `${site.baseUrl}/browse/${issue!.key}` } });
    expect((await activityOf(broken))[0]).toMatchObject({ outcome: 'ISSUE_CREATED', canReprocess: false });
  });

  it('keeps raw messages 30 days: the purge removes older ones', async () => {
    await query(h.databaseUrl, `UPDATE "RawMessage" SET "createdAt" = now() - interval '31 days' WHERE "ledgerEntryId" IN (SELECT id FROM "LedgerEntry" WHERE "sourceId" = $1)`, [broken]);
    expect((await h.web.services.purge()).rawMessages).toBe(1);
    const item = (await activityOf(broken))[0]!;
    expect((await api('GET', `/api/message-sources/${broken}/messages/${item.ledgerEntryId}/raw`)).status).toBe(404);
  });
});
