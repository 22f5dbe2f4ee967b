// The whole Mailbridge stack in one process, outside vitest, for scripts (benchmarks, corpus checks, a
// local sandbox): the test harness cannot be used there because it takes its database from vitest's
// inject(). An embedded PostgreSQL in a temp folder (migrated), the Jira emulator with one installed
// site, the Google emulator with our OAuth client, a real Dovecot checking tokens at that emulator, the
// web app on a free port and, when asked, the mailbox worker. stop() takes it all down again.
import fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { loadConfig, type Config, type MailServer } from '../src/config.js';
import { createLogger, type Logger } from '../src/log.js';
import { createDb, type Db } from '../src/store/db.js';
import { Keyring, generateKey } from '../src/store/crypto.js';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../src/store/embedded-postgres.js';
import { migrate } from '../src/store/migrate.js';
import { buildApp, type WebApp } from '../src/app.js';
import type { Services } from '../src/services.js';
import { buildWorker } from '../src/workers/build.js';
import type { MailboxSupervisor } from '../src/workers/mailboxes.js';
import { MIGRATIONS_DIR } from '../src/paths.js';
import { JiraEmulator } from './jira/emulator.js';
import type { JiraSite, SiteOptions } from './jira/site.js';
import { GoogleEmulator } from './google/emulator.js';
import { startDovecot, type Dovecot } from './mail/dovecot.js';
import { closeServer, googleEnv, imapEnv, serve } from './settings.js';

export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface WorkerOptions {
  /** How often a watcher polls a server without IDLE (the product's default is 30 s). */
  pollIntervalMs?: number;
  /** Backoff after trouble or a 'retry'; the product's default doubles from 1 s. */
  retryDelayMs?: (attempt: number) => number;
  /** How soon a new Message Source is noticed; the product's default is 5 s. */
  refreshEveryMs?: number;
  /** Mails of one Message Source worked on at once (MAILS_IN_FLIGHT; the product's default is 8). */
  mailsInFlight?: number;
  /** Where the watchers connect instead of Dovecot (e.g. a proxy in front of it). */
  imap?: MailServer;
}

export interface StackOptions {
  /** Dovecot and the Google emulator (default true); without them there is no IMAP and no Authorize. */
  mail?: boolean;
  /** Start the mailbox worker at once (default false: startWorker() starts it later). */
  worker?: boolean | WorkerOptions;
  /** The installed Jira site's options, e.g. `latencyMs` added to every REST answer. */
  site?: SiteOptions;
  /** Default 'warn': scripts print their own figures. */
  logLevel?: LogLevel;
  logDestination?: DestinationStream;
  /** More settings (the names of src/config.ts), over the stack's own. */
  env?: Record<string, string>;
}

export type ApiCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T; text: string }>;

/** A Jira site with our app installed, its tenant, and the admin API as that site's admin calls it. */
export interface InstalledSite {
  site: JiraSite;
  tenantId: string;
  api: ApiCall;
}

export interface Stack extends InstalledSite {
  baseUrl: string;
  config: Config;
  databaseUrl: string;
  db: Db;
  keyring: Keyring;
  log: Logger;
  services: Services;
  web: WebApp;
  jira: JiraEmulator;
  google: GoogleEmulator | undefined;
  dovecot: Dovecot | undefined;
  /** The running worker, if any. */
  readonly worker: MailboxSupervisor | undefined;
  /** Starts the mailbox worker (stopping a running one first). */
  startWorker(options?: WorkerOptions): Promise<MailboxSupervisor>;
  stopWorker(): Promise<void>;
  /** Another Jira site with the app installed: a second tenant. */
  addSite(options?: SiteOptions): Promise<InstalledSite>;
  stop(): Promise<void>;
}

/** Worker settings for scripts: a new source is picked up within half a second, trouble retried quickly. */
const SCRIPT_WORKER: WorkerOptions = { refreshEveryMs: 500, retryDelayMs: () => 200 };

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  // Whatever started before a failure is stopped again, newest first, so a script never leaks servers.
  const undo = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    return await assemble(options, cleanup, undo);
  } catch (err) {
    await undo();
    throw err;
  }
}

async function assemble(options: StackOptions, cleanup: (() => Promise<unknown>)[], undo: () => Promise<void>): Promise<Stack> {
  const { url: databaseUrl, dir } = await database(cleanup);
  const jira = await JiraEmulator.start();
  cleanup.push(() => jira.stop());
  const port = await freePort();
  const mail = options.mail ?? true;
  const google = mail ? await GoogleEmulator.start() : undefined;
  if (google) cleanup.push(() => google.stop());
  const dovecot = google ? await startDovecot({ tokeninfoUrl: google.tokeninfoUrl }) : undefined;
  if (dovecot) cleanup.push(() => dovecot.stop());

  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: String(port),
    BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dir,
    ENCRYPTION_KEY: generateKey(),
    CONNECT_KEYS_CDN_URL: jira.keysCdnUrl,
    LOG_LEVEL: options.logLevel ?? 'warn',
    // A retried mail is looked up in Jira after 1 s, not 30: the emulator's search has no lag.
    RECONCILE_AFTER_SECONDS: '1',
    ...(google ? googleEnv(google, port) : {}),
    ...(dovecot ? imapEnv(dovecot) : {}),
    ...options.env,
  });
  const log = createLogger(config.logLevel, options.logDestination);
  const db = createDb(databaseUrl);
  cleanup.push(() => db.$disconnect());
  const keyring = new Keyring(config.encryptionKey!, config.previousEncryptionKeys);
  const web = await buildApp({ config, log, db, keyring });
  const server = await serve(web, port);
  cleanup.push(() => closeServer(server));

  const install = async (siteOptions: SiteOptions = {}): Promise<InstalledSite> => {
    const site = await jira.createSite(siteOptions);
    const installed = await site.install(config.baseUrl);
    if (installed.status >= 300) throw new Error(`The Jira site could not install the app: HTTP ${installed.status} ${installed.body}`);
    const tenant = await web.services.tenants.findByClientKey(site.clientKey);
    if (!tenant) throw new Error('The app was installed but no tenant was stored.');
    return { site, tenantId: tenant.id, api: apiClient(config.baseUrl, site) };
  };
  const first = await install(options.site);

  let worker: MailboxSupervisor | undefined;
  const stopWorker = async () => {
    await worker?.stop();
    worker = undefined;
  };
  const startWorker = async (w: WorkerOptions = {}) => {
    await stopWorker();
    const o = { ...SCRIPT_WORKER, ...w };
    const workerConfig = {
      ...config,
      gmail: o.imap ? { ...config.gmail, imap: o.imap } : config.gmail,
      ingestion: { ...config.ingestion, mailsInFlight: o.mailsInFlight ?? config.ingestion.mailsInFlight },
    };
    const watcher = { ...(o.pollIntervalMs ? { pollIntervalMs: o.pollIntervalMs } : {}), ...(o.retryDelayMs ? { retryDelayMs: o.retryDelayMs } : {}) };
    const started = buildWorker({ config: workerConfig, log, db, databaseUrl, services: web.services, watcher, ...(o.refreshEveryMs ? { refreshEveryMs: o.refreshEveryMs } : {}) });
    await started.start();
    worker = started;
    return started;
  };
  // Registered last so it runs first: the worker must stop before the servers it talks to.
  cleanup.push(stopWorker);
  if (options.worker) await startWorker(options.worker === true ? {} : options.worker);

  return {
    ...first,
    baseUrl: config.baseUrl,
    config,
    databaseUrl,
    db,
    keyring,
    log,
    services: web.services,
    web,
    jira,
    google,
    dovecot,
    get worker() {
      return worker;
    },
    startWorker,
    stopWorker,
    addSite: install,
    stop: undo,
  };
}

/** An embedded PostgreSQL under a new temp folder, migrated; its stop and removal are queued on `cleanup`. */
async function database(cleanup: (() => Promise<unknown>)[]): Promise<{ url: string; dir: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-stack-'));
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
  // A script that dies without stop() (an exception, a closed pipe) would leave 50 MB behind; embedded-
  // postgres stops the server itself on the way out.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // As root PostgreSQL runs as the postgres user, which must be able to reach its folder (mkdtemp gives 0700).
  await fs.chmod(dir, 0o755);
  let output = '';
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres(path.join(dir, 'postgres'), (line) => (output += `${line}\n`)).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${output}`, { cause: err });
  });
  cleanup.push(() => embedded.stop());
  const url = await embedded.ensureDatabase('mailbridge');
  await migrate(url, MIGRATIONS_DIR, createLogger('silent'));
  return { url, dir };
}

/** The admin API as the admin UI calls it: with the context token Jira hands its iframe. */
export function apiClient(baseUrl: string, site: JiraSite): ApiCall {
  return async <T>(method: string, urlPath: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: { authorization: `JWT ${site.contextToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
  };
}

/**
 * Authorizes a Google account the way an admin does: Authorize in the admin UI, consent at the
 * (emulated) Google, back to our callback. Returns the credential's id. The account is added to the
 * emulator when it does not know it yet.
 */
export async function authorizeAccount(stack: Stack, account: string, at: InstalledSite = stack): Promise<string> {
  const google = stack.google;
  if (!google) throw new Error('The stack was started without mail: there is no Google emulator to authorize at.');
  if (!google.account(account)) google.addAccount({ email: account, hd: account.split('@')[1] });
  const started = await at.api<{ id: string; url: string }>('POST', '/api/authorizations', { kind: 'source' });
  if (started.status !== 201 && started.status !== 200) throw new Error(`Authorize could not start: HTTP ${started.status} ${started.text}`);
  const consent = await google.consent(started.body.url, { account });
  if (!consent.location) throw new Error(`Google did not send the browser back to the app (HTTP ${consent.status}).`);
  await (await fetch(consent.location)).text();
  const done = await at.api<{ credentialId?: string }>('GET', `/api/authorizations/${started.body.id}`);
  if (!done.body.credentialId) throw new Error(`The authorization did not complete: ${done.text}`);
  return done.body.credentialId;
}

export interface NewSource {
  /** The Google account whose INBOX is watched, e.g. help@acme.example. */
  account: string;
  name?: string;
  /** Defaults: the seeded SUP project (10000) and its Task type (10001). */
  projectId?: string;
  issueTypeId?: string;
  /** Any other field of the admin API's Message Source. */
  fields?: Record<string, unknown>;
  /** An earlier authorization of the same account, to share; otherwise the account is authorized now. */
  credentialId?: string;
}

/** Authorizes the account and creates a ready Message Source for its INBOX through the admin API. */
export async function addMessageSource(stack: Stack, source: NewSource, at: InstalledSite = stack): Promise<{ sourceId: string; credentialId: string }> {
  const credentialId = source.credentialId ?? (await authorizeAccount(stack, source.account, at));
  const created = await at.api<{ id: string }>('POST', '/api/message-sources', {
    name: source.name ?? source.account,
    type: 'IMAP_GMAIL_OAUTH',
    credentialId,
    projectId: source.projectId ?? '10000',
    issueTypeId: source.issueTypeId ?? '10001',
    ...source.fields,
  });
  if (created.status !== 201) throw new Error(`The Message Source could not be created: HTTP ${created.status} ${created.text}`);
  return { sourceId: created.body.id, credentialId };
}

/** Waits until `probe` answers something truthy, polling every `everyMs`. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
