// The whole web app on a free port, over its own database, with a Jira emulator whose key CDN it
// trusts; its log lines are kept so tests can check what was (not) logged.
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createDb, type Db } from '../../src/store/db.js';
import { Keyring, generateKey } from '../../src/store/crypto.js';
import { freePort } from '../../src/store/embedded-postgres.js';
import { buildApp, type WebApp } from '../../src/app.js';
import { buildWorker } from '../../src/workers/build.js';
import type { MailboxSupervisor } from '../../src/workers/mailboxes.js';
import { JiraEmulator } from '../../dev/jira/emulator.js';
import { GoogleEmulator } from '../../dev/google/emulator.js';
import { startDovecot, type Dovecot } from '../../dev/mail/dovecot.js';
import { startSmtpServer, type SmtpServer } from '../../dev/mail/smtp.js';
import { closeServer, googleEnv, imapEnv, serve, smtpEnv } from '../../dev/settings.js';
import { freshDatabase } from './database.js';

export interface Harness {
  baseUrl: string;
  config: Config;
  databaseUrl: string;
  db: Db;
  keyring: Keyring;
  web: WebApp;
  jira: JiraEmulator;
  /** With `google: true`: the Google emulator, our OAuth client registered at it. */
  google: GoogleEmulator | undefined;
  /** With `mail: true`: a real Dovecot (IMAP) and SMTP server standing in for Gmail's, checking tokens at the emulator. */
  dovecot: Dovecot | undefined;
  smtp: SmtpServer | undefined;
  worker: MailboxSupervisor | undefined;
  logs: string[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Start the Google emulator and point the GOOGLE_* settings at it. */
  google?: boolean;
  /** Also start Dovecot and an SMTP server as Gmail (implies google), with these password mailboxes. */
  mail?: boolean;
  passwordUsers?: { user: string; password: string }[];
  /** Also run the mailbox worker in this process (fast refresh and short backoffs). */
  worker?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const databaseUrl = await freshDatabase();
  const jira = await JiraEmulator.start();
  const port = await freePort();
  const google = options.google || options.mail ? await GoogleEmulator.start() : undefined;
  const dovecot = options.mail ? await startDovecot({ tokeninfoUrl: google!.tokeninfoUrl, passwordUsers: options.passwordUsers ?? [] }) : undefined;
  const smtp = dovecot
    ? await startSmtpServer({ tokeninfoUrl: google!.tokeninfoUrl, deliverTo: { host: dovecot.host, port: dovecot.lmtpPort }, passwordUsers: options.passwordUsers ?? [] })
    : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: generateKey(),
    CONNECT_KEYS_CDN_URL: jira.keysCdnUrl,
    LOG_LEVEL: 'debug',
    RECONCILE_AFTER_SECONDS: '1',
    ...(google ? googleEnv(google, port) : {}),
    ...(dovecot ? imapEnv(dovecot) : {}),
    ...(smtp ? smtpEnv(smtp) : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const db = createDb(databaseUrl);
  const keyring = new Keyring(config.encryptionKey!, config.previousEncryptionKeys);
  const web = await buildApp({ config, log, db, keyring });
  const worker = options.worker
    ? buildWorker({ config, log, db, databaseUrl, services: web.services, refreshEveryMs: 200, watcher: { pollIntervalMs: 500, retryDelayMs: () => 200 } })
    : undefined;
  await worker?.start();
  const server = await serve(web, port);
  return {
    baseUrl: config.baseUrl,
    config,
    databaseUrl,
    db,
    keyring,
    web,
    jira,
    google,
    dovecot,
    smtp,
    worker,
    logs,
    async stop() {
      await worker?.stop();
      await closeServer(server);
      await jira.stop();
      await smtp?.stop();
      await dovecot?.stop();
      await google?.stop();
      await db.$disconnect();
    },
  };
}
