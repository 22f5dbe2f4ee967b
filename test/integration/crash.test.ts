// Exactly once across a crash: the mailbox worker runs as its own process (ROLE=worker, as in
// production) and is killed with SIGKILL after Jira created the issue but before the worker heard
// back, so before its ledger row and its mailbox checkpoint could be written. Restarted, it must
// complete the row from what it finds in Jira, and leave exactly one issue.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { MESSAGE_PROPERTY } from '../../src/jira/issues.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { apiClient } from '../helpers/api.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mail, messageIdOf } from '../helpers/mail.js';
import { until } from '../helpers/wait.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const MAILBOX = 'help@acme.example';

let h: Harness;
let site: JiraSite;
let worker: ChildProcess | undefined;

/** The worker process, configured as the web app of the test is (same database, key, emulators). */
function startWorker(): ChildProcess {
  const c = h.config;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ROLE: 'worker',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    BASE_URL: c.baseUrl,
    DATABASE_URL: h.databaseUrl,
    ENCRYPTION_KEY: c.encryptionKey!,
    CONNECT_KEYS_CDN_URL: c.connectKeysCdnUrl!,
    GOOGLE_CLIENT_ID: c.google.client!.id,
    GOOGLE_CLIENT_SECRET: c.google.client!.secret,
    GOOGLE_AUTH_URL: c.google.authUrl,
    GOOGLE_TOKEN_URL: c.google.tokenUrl,
    GOOGLE_REVOKE_URL: c.google.revokeUrl,
    GOOGLE_CERTS_URL: c.google.certsUrl,
    GMAIL_IMAP_HOST: c.gmail.imap.host,
    GMAIL_IMAP_PORT: String(c.gmail.imap.port),
    GMAIL_IMAP_TLS: 'false',
    RECONCILE_AFTER_SECONDS: '1',
  };
  const child = spawn(process.execPath, ['--import', TSX, path.join(PROJECT_ROOT, 'src', 'main.ts')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  return child;
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));


beforeAll(async () => {
  h = await startHarness({ mail: true });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  const api = apiClient(h.baseUrl, site);
  const started = await api<{ id: string; url: string }>('POST', '/api/authorizations', { kind: 'source' });
  await fetch((await h.google!.consent(started.body.url, { account: MAILBOX })).location!);
  const { credentialId } = (await api<{ credentialId: string }>('GET', `/api/authorizations/${started.body.id}`)).body;
  const created = await api('POST', '/api/message-sources', { name: 'Help desk', type: 'IMAP_GMAIL_OAUTH', credentialId, projectId: '10000', issueTypeId: '10001' });
  expect(created.status, created.text).toBe(201);
}, 60_000);
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGKILL');
    await exited(worker);
  }
  await h?.stop();
});

describe('a worker killed between the Jira call and its checkpoint', () => {
  it('leaves exactly one issue after a restart', async () => {
    const raw = mail({ subject: 'Crash me' });
    const messageId = messageIdOf(raw);
    worker = startWorker();
    const first = worker;
    // The moment Jira has created the issue, and before the worker hears back: SIGKILL.
    site.hooks.afterIssueCreated = async (issue) => {
      if (issue.summary !== 'Crash me') return;
      site.hooks.afterIssueCreated = undefined;
      first.kill('SIGKILL');
      await exited(first);
    };
    // Let the worker start watching (its first sync sets the checkpoint) before the mail arrives.
    await until(async () => (await query(h.databaseUrl, `SELECT 1 FROM "MessageSource" WHERE checkpoint IS NOT NULL`)).length === 1, 'the worker watches the mailbox', 30_000);
    await h.dovecot!.deliver(MAILBOX, raw);
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');

    const [open] = await query<{ state: string }>(h.databaseUrl, 'SELECT state FROM "LedgerEntry" WHERE "messageId" = $1', [messageId]);
    expect(open?.state).toBe('PENDING');
    const issuesFor = () => site.state.issues.filter((i) => (i.properties.get(MESSAGE_PROPERTY) as { messageId?: string } | undefined)?.messageId === messageId);
    expect(issuesFor()).toHaveLength(1);

    worker = startWorker();
    await until(async () => (await query<{ state: string }>(h.databaseUrl, 'SELECT state FROM "LedgerEntry" WHERE "messageId" = $1', [messageId]))[0]?.state === 'DONE', 'the ledger row is completed', 30_000);
    expect(issuesFor()).toHaveLength(1);
    const [done] = await query<{ issueKey: string }>(h.databaseUrl, 'SELECT "issueKey" FROM "LedgerEntry" WHERE "messageId" = $1', [messageId]);
    expect(done?.issueKey).toBe(issuesFor()[0]!.key);

    // And the mailbox goes on: the next mail is an issue too.
    const next = mail({ subject: 'After the crash' });
    await h.dovecot!.deliver(MAILBOX, next);
    await until(() => site.state.issues.some((i) => i.summary === 'After the crash'), 'the next mail is processed', 30_000);
  }, 90_000);
});
