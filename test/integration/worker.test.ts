// Mail becoming Jira issues end to end: a real Dovecot (XOAUTH2, tokens checked at the Google
// emulator) watched by the mailbox worker with IDLE, the ingestion, and the Jira emulator.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import type { Issue } from '../../dev/jira/state.js';
import { MESSAGE_PROPERTY } from '../../src/jira/issues.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { apiClient } from '../helpers/api.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mail, messageIdOf } from '../helpers/mail.js';
import { until } from '../helpers/wait.js';

let h: Harness;
let site: JiraSite;
let api: ReturnType<typeof apiClient>;
let sourceId: string;
const MAILBOX = 'help@acme.example';

beforeAll(async () => {
  h = await startHarness({ mail: true, worker: true });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  api = apiClient(h.baseUrl, site);
  const credentialId = await authorize();
  const created = await api<{ id: string }>('POST', '/api/message-sources', { name: 'Help desk', type: 'IMAP_GMAIL_OAUTH', credentialId, projectId: '10000', issueTypeId: '10001' });
  expect(created.status, created.text).toBe(201);
  sourceId = created.body.id;
  await until(() => h.worker!.states().get(sourceId) === 'idle', 'the worker watches the mailbox with IDLE');
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

async function authorize(targetId?: string): Promise<string> {
  const started = await api<{ id: string; url: string }>('POST', '/api/authorizations', { kind: 'source', ...(targetId ? { targetId } : {}) });
  const consent = await h.google!.consent(started.body.url, { account: MAILBOX });
  await fetch(consent.location!);
  return (await api<{ credentialId: string }>('GET', `/api/authorizations/${started.body.id}`)).body.credentialId;
}


const issueFor = (messageId: string): Issue | undefined =>
  site.state.issues.find((i) => (i.properties.get(MESSAGE_PROPERTY) as { messageId?: string } | undefined)?.messageId === messageId);

describe('a mail delivered to the mailbox', () => {
  let first: Buffer;

  it('becomes an issue within seconds (IDLE, not polling)', async () => {
    first = mail({ subject: 'VPN is down' });
    const sent = Date.now();
    await h.dovecot!.deliver(MAILBOX, first);
    const issue = await until(() => issueFor(messageIdOf(first)), 'the issue exists');
    const delay = Date.now() - sent;
    expect(issue.summary).toBe('VPN is down');
    expect(delay).toBeLessThan(5_000);
  });

  it('a reply (In-Reply-To alone) becomes a comment without the quoted part', async () => {
    const reply = mail({
      subject: 'Re: VPN is down',
      inReplyTo: messageIdOf(first),
      text: 'Still down for me.\n\nOn Wed, 3 Dec 2026, Help <help@acme.example> wrote:\n> Please restart your laptop.',
    });
    await h.dovecot!.deliver(MAILBOX, reply);
    const issue = issueFor(messageIdOf(first))!;
    await until(() => issue.comments.length === 1, 'the comment exists');
    const body = JSON.stringify(issue.comments[0]!.body);
    expect(body).toContain('Still down for me.');
    expect(body).not.toContain('Please restart your laptop');
  });

  it('a reply naming the key in the subject becomes a comment', async () => {
    const issue = issueFor(messageIdOf(first))!;
    await h.dovecot!.deliver(MAILBOX, mail({ subject: `RE: ${issue.key} any update?`, text: 'Any update?' }));
    await until(() => issue.comments.length === 2, 'the second comment exists');
  });

  it('attachments and inline images arrive on the issue', async () => {
    const raw = (await fs.readFile(path.join(PROJECT_ROOT, 'test/fixtures/mail/html-inline-image.eml'))).toString().replace('<html-1@mail.example.com>', '<html-worker@mail.example.com>');
    await h.dovecot!.deliver(MAILBOX, raw);
    const issue = await until(() => issueFor('<html-worker@mail.example.com>'), 'the issue with attachments exists');
    await until(() => issue.attachments.length >= 2, 'both attachments are there');
    const png = issue.attachments.find((a) => a.filename.endsWith('.png'))!;
    // The image where it stood: a media node naming the attachment's media file.
    await until(() => JSON.stringify(issue.description).includes(png.mediaId), 'the image is shown in the description');
    expect(JSON.stringify(issue.description)).not.toContain('[image:');
  });

  it('an auto-reply and a bounce do nothing, and say why in the activity', async () => {
    const before = site.state.issues.length;
    for (const f of ['auto-reply-rfc3834.eml', 'dsn-rfc3464.eml']) await h.dovecot!.deliver(MAILBOX, await fs.readFile(path.join(PROJECT_ROOT, 'test/fixtures/mail', f)));
    // A normal mail after them shows the two were handled (the mailbox goes in order).
    const marker = mail({ subject: 'After the noise' });
    await h.dovecot!.deliver(MAILBOX, marker);
    await until(() => issueFor(messageIdOf(marker)), 'the mail after them is processed');
    expect(site.state.issues.length).toBe(before + 1);
    const ignored = await query<{ reason: string }>(h.databaseUrl, `SELECT reason FROM "Activity" WHERE outcome = 'IGNORED' ORDER BY at`);
    expect(ignored.map((r) => r.reason.split(':')[0])).toEqual(['AUTO_REPLY', 'BOUNCE']);
  });
});

describe('a revoked Google authorization', () => {
  it('shows Needs re-authorization, stops retrying, and after Re-authorize the mail that arrived meanwhile is processed', async () => {
    h.google!.revokeRefreshTokensOf(MAILBOX);
    // The watcher notices at its next login: make it reconnect by restarting the worker.
    await h.worker!.stop();
    const meanwhile = mail({ subject: 'Sent while revoked' });
    await h.dovecot!.deliver(MAILBOX, meanwhile);
    await h.worker!.start();
    await until(async () => (await api<{ status: string }>('GET', `/api/message-sources/${sourceId}`)).body.status === 'NEEDS_REAUTHORIZATION', 'the source needs re-authorization');
    const refreshes = h.google!.tokenRequests.length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.google!.tokenRequests.length - refreshes).toBeLessThanOrEqual(1);
    expect(issueFor(messageIdOf(meanwhile))).toBeUndefined();

    await authorize(sourceId);
    await until(() => issueFor(messageIdOf(meanwhile)), 'the mail that arrived meanwhile is an issue');
    expect((await api<{ status: string }>('GET', `/api/message-sources/${sourceId}`)).body.status).toBe('AUTHORIZED');
  }, 40_000);
});
