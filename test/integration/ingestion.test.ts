// The ingestion pipeline against the Jira emulator: what a mail becomes, exactly once, and what never
// becomes anything. (The mailbox side, IMAP, is in watcher.test.ts and worker tests.)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { ConnectJiraClient } from '../../src/jira/client.js';
import { createIssue, MESSAGE_PROPERTY } from '../../src/jira/issues.js';
import { Ingestion, type IngestContext } from '../../src/ingest/pipeline.js';
import { SenderRateLimiter } from '../../src/ingest/rate-limit.js';
import { Ledger } from '../../src/store/ledger.js';
import { createLogger } from '../../src/log.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { assertValidAdf } from '../helpers/adf-schema.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mail, messageIdOf } from '../helpers/mail.js';
import { seedSource } from '../helpers/seed.js';

let h: Harness;
let site: JiraSite;
let ctx: IngestContext;
let ingestion: Ingestion;
let ledger: Ledger;

const fixture = (name: string) => fs.readFile(path.join(PROJECT_ROOT, 'test', 'fixtures', 'mail', name));

beforeAll(async () => {
  h = await startHarness();
  site = await h.jira.createSite({ searchLagMs: 200 });
  await site.install(h.baseUrl);
  const source = await seedSource(h, site, { name: 'Help desk', type: 'IMAP_GMAIL_OAUTH', projectId: '10000', issueTypeId: '10001', maxAttachments: 3, defaultReporterAccountId: '5b10a2844c20165700ede21g' });
  const tenantId = (await h.web.tenants.findByClientKey(site.clientKey))!.id;
  ctx = {
    tenantId,
    source: { id: source.id, projectId: '10000', projectKey: 'SUP', issueTypeId: '10001', defaultReporterAccountId: source.defaultReporterAccountId, keepOriginal: false, maxAttachmentBytes: 5 * 1024 * 1024, maxAttachments: 3, acceptedLists: [] },
    ownAddresses: ['help@acme.example'],
    jira: new ConnectJiraClient({ baseUrl: site.baseUrl, appKey: 'mailbridge', sharedSecret: site.sharedSecret }, { attempts: 2, baseDelayMs: 10, maxDelayMs: 100 }),
  };
  ledger = new Ledger(h.db);
  ingestion = new Ingestion({ ledger, senders: new SenderRateLimiter({ max: 5, windowMs: 60_000 }), log: createLogger('silent'), maxAttempts: 3, reconcileAfterMs: 300 });
});
afterAll(async () => {
  await h.stop();
});

const issues = () => site.state.issues;
const byMessageId = (id: string) => issues().filter((i) => (i.properties.get(MESSAGE_PROPERTY) as { messageId?: string } | undefined)?.messageId === id);
const activity = async () => query<{ outcome: string; reason: string | null; issueKey: string | null; subject: string | null }>(h.databaseUrl, 'SELECT outcome, reason, "issueKey", subject FROM "Activity" ORDER BY at DESC');

describe('a new mail', () => {
  let first: Buffer;

  it('becomes one issue: the subject its summary, the body its description (valid ADF), the sender on it', async () => {
    first = mail({ from: 'Sam Support <sam@example.com>', subject: 'Printer on fire', cc: 'harper@example.com, ada@example.com' });
    expect(await ingestion.process(ctx, { raw: first })).toEqual({ outcome: 'done' });
    const [issue] = byMessageId(messageIdOf(first));
    expect(issue).toBeDefined();
    expect(issue!.summary).toBe('Printer on fire');
    assertValidAdf(issue!.description);
    expect(JSON.stringify(issue!.description)).toContain('the printer on floor 3 is on fire.');
    expect(issue!.properties.get(MESSAGE_PROPERTY)).toMatchObject({ sender: { address: 'sam@example.com', name: 'Sam Support' }, sourceId: ctx.source.id });
    // Jira shows Sam's email, so Sam reports it; Ada (visible) watches, Harper (hidden) cannot be matched.
    expect(issue!.reporterAccountId).toBe('5b10ac8d82e05b22cc7d4ef5');
    expect([...issue!.watchers]).toContain('5b10a2844c20165700ede21g');
    expect((await activity())[0]).toMatchObject({ outcome: 'ISSUE_CREATED', issueKey: issue!.key, subject: 'Printer on fire' });
  });

  it('offered again (a re-sync), changes nothing', async () => {
    const before = issues().length;
    expect(await ingestion.process(ctx, { raw: first })).toEqual({ outcome: 'done' });
    expect(issues().length).toBe(before);
  });

  it('from someone Jira does not reveal, gets the Message Source\'s default reporter', async () => {
    const raw = mail({ from: 'harper@example.com', subject: 'Hidden sender' });
    await ingestion.process(ctx, { raw });
    expect(byMessageId(messageIdOf(raw))[0]!.reporterAccountId).toBe('5b10a2844c20165700ede21g');
  });
});

describe('a Default reporter Jira refuses', () => {
  it('(deactivated or deleted since it was chosen) does not hold the mail up: the issue is created without it', async () => {
    const gone = { ...ctx, source: { ...ctx.source, defaultReporterAccountId: '5b10-deleted-user' } };
    const raw = mail({ from: 'harper@example.com', subject: 'Reporter gone' });
    expect(await ingestion.process(gone, { raw })).toEqual({ outcome: 'done' });
    const [issue] = byMessageId(messageIdOf(raw));
    expect(issue!.reporterAccountId).toBe(site.state.appAccountId);
    expect(issue!.properties.get(MESSAGE_PROPERTY)).toMatchObject({ sender: { address: 'harper@example.com' } });
  });
});

describe('a reply', () => {
  it('by In-Reply-To alone becomes a comment on the same issue, without the quoted part', async () => {
    const original = mail({ subject: 'Cannot log in' });
    await ingestion.process(ctx, { raw: original });
    const [issue] = byMessageId(messageIdOf(original));
    const reply = mail({
      subject: 'Re: Cannot log in',
      inReplyTo: messageIdOf(original),
      references: messageIdOf(original),
      text: 'It works again, thanks!\n\nOn Tue, 3 Dec 2026 at 10:00, Help <help@acme.example> wrote:\n> Please try again now.\n> Help desk',
    });
    await ingestion.process(ctx, { raw: reply });
    expect(issue!.comments).toHaveLength(1);
    const body = JSON.stringify(issue!.comments[0]!.body);
    assertValidAdf(issue!.comments[0]!.body);
    expect(body).toContain('It works again, thanks!');
    expect(body).not.toContain('Please try again now');
    expect(issues().filter((i) => i.summary.includes('Cannot log in'))).toHaveLength(1);
  });

  it('naming the issue key in the subject becomes a comment', async () => {
    const original = mail({ subject: 'Broken chair' });
    await ingestion.process(ctx, { raw: original });
    const key = byMessageId(messageIdOf(original))[0]!.key;
    await ingestion.process(ctx, { raw: mail({ subject: `Re: [${key}] Broken chair`, text: 'Any news?' }) });
    expect(site.state.issue(key)!.comments).toHaveLength(1);
  });

  it('naming an issue that does not exist becomes a new issue', async () => {
    const raw = mail({ subject: 'Re: SUP-9999 old thing' });
    await ingestion.process(ctx, { raw });
    expect(byMessageId(messageIdOf(raw))).toHaveLength(1);
  });
});

describe('mail that must never become anything', () => {
  for (const [file, reason] of [
    ['auto-reply-rfc3834.eml', 'AUTO_REPLY'],
    ['dsn-rfc3464.eml', 'BOUNCE'],
    ['arf-report.eml', 'FEEDBACK_REPORT'],
    ['loop-header.eml', 'LOOP_HEADER'],
  ] as const) {
    it(`${file}: ignored as ${reason}, logged with its reason`, async () => {
      const before = issues().length;
      expect(await ingestion.process(ctx, { raw: await fixture(file) })).toEqual({ outcome: 'done' });
      expect(issues().length).toBe(before);
      expect((await activity())[0]).toMatchObject({ outcome: 'IGNORED', reason: expect.stringMatching(new RegExp(`^${reason}: `)) });
    });
  }

  it('mail from our own outbound address is ignored (no loop with our notifications)', async () => {
    const before = issues().length;
    await ingestion.process(ctx, { raw: mail({ from: 'Help <help@acme.example>' }) });
    expect(issues().length).toBe(before);
    expect((await activity())[0]!.reason).toMatch(/^OWN_ADDRESS/);
  });

  it('a runaway sender is stopped after the limit', async () => {
    const before = issues().length;
    for (let i = 0; i < 7; i++) await ingestion.process(ctx, { raw: mail({ from: 'robot@spam.example', subject: `Alert ${i}` }) });
    expect(issues().length - before).toBe(5);
    expect((await activity())[0]!.reason).toMatch(/^RATE_LIMITED/);
  });
});

type Block = { type: string; attrs?: Record<string, unknown>; content?: { type: string; attrs?: Record<string, unknown>; text?: string }[] };
const blocks = (doc: unknown) => (doc as { content: Block[] }).content;

describe('attachments', () => {
  it('arrive on the issue, the inline image shown where it stood (its media file, from the download redirect)', async () => {
    const raw = await fixture('html-inline-image.eml');
    await ingestion.process(ctx, { raw });
    const [issue] = byMessageId('<html-1@mail.example.com>');
    expect(issue!.attachments.map((a) => a.filename).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/\.png$/), expect.stringMatching(/\.pdf$/)]));
    const png = issue!.attachments.find((a) => a.filename.endsWith('.png'))!;
    assertValidAdf(issue!.description);
    // "See the error:" and then the image, as in the mail; no placeholder left.
    const [text, image] = blocks(issue!.description);
    expect(text!.content![0]!.text).toBe('See the error:');
    expect(image).toMatchObject({ type: 'mediaSingle', content: [{ type: 'media', attrs: { type: 'file', id: png.mediaId, collection: '' } }] });
    expect(JSON.stringify(issue!.description)).not.toContain('[image:');
  });

  it('in a reply, the comment shows the image where it stood', async () => {
    const [issue] = byMessageId('<html-1@mail.example.com>');
    const reply = (await fixture('html-inline-image.eml'))
      .toString()
      .replace('<html-1@mail.example.com>', '<html-reply@mail.example.com>')
      .replace('Subject: Screenshot of the error', `Subject: Re: [${issue!.key}] Screenshot of the error`);
    await ingestion.process(ctx, { raw: Buffer.from(reply) });
    const comment = issue!.comments.at(-1)!;
    assertValidAdf(comment.body);
    const png = issue!.attachments.filter((a) => a.filename.endsWith('.png')).at(-1)!;
    expect(blocks(comment.body)[1]).toMatchObject({ type: 'mediaSingle', content: [{ type: 'media', attrs: { id: png.mediaId } }] });
  });

  it('when the media file cannot be learned, the image stays "[image: name]" and the mail is done', async () => {
    site.fail({ status: 404, path: /\/rest\/api\/3\/attachment\/content\//, times: 5 });
    const raw = Buffer.from((await fixture('html-inline-image.eml')).toString().replace('<html-1@mail.example.com>', '<html-nomedia@mail.example.com>'));
    expect(await ingestion.process(ctx, { raw })).toEqual({ outcome: 'done' });
    const [issue] = byMessageId('<html-nomedia@mail.example.com>');
    assertValidAdf(issue!.description);
    expect(JSON.stringify(issue!.description)).toMatch(/\[image: [^\]]+\.png\]/);
    expect(JSON.stringify(issue!.description)).not.toContain('mediaSingle');
  });
});

describe('a large attachment', () => {
  it('is decoded into the spool, uploaded from there intact, and the spool is empty afterwards', async () => {
    const spoolDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ingestion-spool-'));
    const spooling = new Ingestion({ ledger, senders: new SenderRateLimiter(), log: createLogger('silent'), maxAttempts: 3, reconcileAfterMs: 300, spoolDir });
    const scan = randomBytes(2 * 1024 * 1024 + 5);
    const raw = mail({ from: 'scanner@customer.example', subject: 'The scan', attachments: [{ filename: 'scan.pdf', contentType: 'application/pdf', content: scan }] });
    try {
      expect(await spooling.process(ctx, { raw })).toEqual({ outcome: 'done' });
      const [issue] = byMessageId(messageIdOf(raw));
      const uploaded = issue!.attachments.find((a) => a.filename === 'scan.pdf');
      expect(uploaded?.mimeType).toBe('application/pdf');
      expect(uploaded?.content.equals(scan)).toBe(true);
      expect(await fs.readdir(spoolDir)).toEqual([]);
    } finally {
      await fs.rm(spoolDir, { recursive: true, force: true });
    }
  });
});

describe('mails handed over together (a backlog is worked on a few at once)', () => {
  it('a reply handed over with the mail it answers waits for it and becomes its comment; an unrelated one goes ahead', async () => {
    const request = mail({ from: 'together@customer.example', subject: 'Two at once' });
    const reply = mail({ from: 'colleague@customer.example', subject: 'Re: Two at once', inReplyTo: messageIdOf(request), text: 'Adding my colleague.' });
    const unrelated = mail({ from: 'stranger@customer.example', subject: 'Something else' });
    const handled = await Promise.all([request, reply, unrelated].map((raw) => ingestion.process(ctx, { raw })));
    expect(handled).toEqual([{ outcome: 'done' }, { outcome: 'done' }, { outcome: 'done' }]);
    const [issue] = byMessageId(messageIdOf(request));
    expect(byMessageId(messageIdOf(reply))).toHaveLength(0);
    expect(issue!.comments).toHaveLength(1);
    expect(JSON.stringify(issue!.comments[0]!.body)).toContain('Adding my colleague.');
    expect(byMessageId(messageIdOf(unrelated))).toHaveLength(1);
  });

  it('the same mail handed over twice at once is done once, without waiting for a retry', async () => {
    const raw = mail({ from: 'twice@customer.example', subject: 'Sent twice' });
    expect(await Promise.all([ingestion.process(ctx, { raw }), ingestion.process(ctx, { raw })])).toEqual([{ outcome: 'done' }, { outcome: 'done' }]);
    expect(byMessageId(messageIdOf(raw))).toHaveLength(1);
  });
});

describe('exactly once across a crash', () => {
  it('an attempt that created the issue but died before completing its row is completed, not repeated', async () => {
    const raw = mail({ from: 'crash@customer.example', subject: 'Crash between Jira and the ledger' });
    const messageId = messageIdOf(raw);
    // What a crash leaves behind: the row open, the issue (with our property) in Jira.
    const opened = await ledger.open(ctx.tenantId, ctx.source.id, messageId, { messageId });
    await createIssue(ctx.jira, { projectId: '10000', issueTypeId: '10001', summary: 'Crash between Jira and the ledger', description: { type: 'doc', version: 1, content: [] }, property: { messageKey: messageId, messageId, sourceId: ctx.source.id, sender: null } });
    // Right after the crash Jira's index may not show the issue yet: the pipeline waits rather than guess.
    expect((await ingestion.process(ctx, { raw })).outcome).toBe('retry');
    await new Promise((r) => setTimeout(r, 400));
    expect(await ingestion.process(ctx, { raw })).toEqual({ outcome: 'done' });
    expect(byMessageId(messageId)).toHaveLength(1);
    const [row] = await query<{ state: string; issueKey: string }>(h.databaseUrl, 'SELECT state, "issueKey" FROM "LedgerEntry" WHERE id = $1', [opened.row.id]);
    expect(row).toEqual({ state: 'DONE', issueKey: byMessageId(messageId)[0]!.key });
  });
});

describe('when Jira fails', () => {
  it('an outage is retried later, the mail kept', async () => {
    site.fail({ status: 503, path: /\/rest\/api\/3\/issue$/, times: 2 });
    const raw = mail({ from: 'outage@customer.example', subject: 'During an outage' });
    expect((await ingestion.process(ctx, { raw })).outcome).toBe('retry');
    await new Promise((r) => setTimeout(r, 400));
    expect(await ingestion.process(ctx, { raw })).toEqual({ outcome: 'done' });
    expect(byMessageId(messageIdOf(raw))).toHaveLength(1);
  });

  it('a mail Jira keeps refusing is set aside after three attempts, and the mailbox goes on', async () => {
    const broken = { ...ctx, source: { ...ctx.source, issueTypeId: '99999' } };
    const raw = mail({ from: 'refused@customer.example', subject: 'Refused by Jira' });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push((await ingestion.process(broken, { raw })).outcome);
      await new Promise((r) => setTimeout(r, 350));
    }
    expect(outcomes).toEqual(['retry', 'retry', 'done']);
    expect((await activity())[0]).toMatchObject({ outcome: 'QUARANTINED', reason: expect.stringContaining('issuetype') });
  });
});
