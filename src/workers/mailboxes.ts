// Runs one mailbox watcher per Message Source that is ready (enabled, with a Project and an Issue
// type), across all tenants, and hands each mail to the ingestion. Any number of worker processes may
// run: a PostgreSQL advisory lock per source (a lease) makes sure one of them watches it. Every few
// seconds the set is refreshed: new sources start, deleted ones stop, edited ones restart, and one
// that waited for re-authorization resumes from its checkpoint.
import pg from 'pg';
import type { MailServer } from '../config.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { MessageSources } from '../store/connections.js';
import { checkpointStore } from '../store/checkpoints.js';
import type { TenantView } from '../store/tenants.js';
import type { AccessTokens } from '../google/tokens.js';
import type { JiraClient } from '../jira/client.js';
import type { Ingestion } from '../ingest/pipeline.js';
import { contextFor } from '../ingest/context.js';
import { MailboxWatcher, type ImapLogin, type WatcherState } from '../mail/imap/watcher.js';

export interface SupervisorDeps {
  db: Db;
  databaseUrl: string;
  sources: MessageSources;
  tokens: AccessTokens;
  gmail: { imap: MailServer };
  ingestion: Ingestion;
  jiraFor: (tenant: TenantView) => Promise<JiraClient>;
  tenantById: (id: string) => Promise<TenantView | null>;
  log: Logger;
  /** Mails of one Message Source in the ingestion's hands at once (MAILS_IN_FLIGHT). */
  mailsInFlight: number;
  refreshEveryMs?: number;
  /** Passed to each watcher (tests poll faster, and back off less). */
  watcher?: { pollIntervalMs?: number; retryDelayMs?: (attempt: number) => number };
}

interface Running {
  watcher: MailboxWatcher;
  tenantId: string;
  /** A refused access token may have been revoked a moment ago: one fresh token before giving up. */
  retriedWithFreshToken: boolean;
  /** The source as it was when the watcher started: a change restarts it. */
  version: string;
  state: WatcherState['state'];
}

const LEASE_CLASS = 0x4d42; // "MB": the first key of every source's advisory lock

export class MailboxSupervisor {
  private readonly running = new Map<string, Running>();
  private leases: pg.Client | undefined;
  private leaseQueue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly d: SupervisorDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.leases = new pg.Client({ connectionString: this.d.databaseUrl });
    // Losing this connection loses the leases: another worker may take the mailboxes over, so stop ours.
    this.leases.on('error', (err) => {
      this.d.log.error({ err: err.message }, 'lease connection lost: stopping all mailbox watchers');
      void this.stopWatchers();
    });
    await this.leases.connect();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.d.refreshEveryMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.refreshing;
    await this.stopWatchers();
    await this.leases?.end().catch(() => {});
  }

  /** Sources watched by this process, and what their watchers are doing. */
  states(): Map<string, WatcherState['state']> {
    return new Map([...this.running].map(([id, r]) => [id, r.state]));
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.reconcile()
      .catch((err: unknown) => this.d.log.error({ err: String(err) }, 'could not refresh the mailbox watchers'))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    // The one query across tenants: this process serves them all; each watcher then works for one.
    const ready = await this.d.db.messageSource.findMany({
      where: { enabled: true, projectId: { not: null }, issueTypeId: { not: null }, tenant: { uninstalledAt: null } },
      select: { id: true, tenantId: true, updatedAt: true, status: true, credentialId: true, username: true, type: true, folder: true },
    });
    const wanted = new Map(ready.map((s) => [s.id, s]));
    for (const [id, r] of this.running) {
      const s = wanted.get(id);
      if (!s || this.versionOf(s) !== r.version) await this.stopOne(id);
    }
    for (const s of ready) {
      const r = this.running.get(s.id);
      if (r) {
        // Re-authorized since the watcher gave up: it resumes from its checkpoint.
        if (r.state === 'auth-failed' && s.status === 'AUTHORIZED') r.watcher.kick();
        continue;
      }
      if (await this.lease(s.id)) await this.startOne(s.tenantId, s.id, this.versionOf(s)).catch(async (err: unknown) => {
        this.d.log.error({ err: String(err), sourceId: s.id }, 'could not start watching a mailbox');
        await this.release(s.id);
      });
    }
  }

  /** What a change of restarts the watcher: the connection settings, not its own status updates. */
  private versionOf(s: { credentialId: string | null; username: string | null; type: string; folder: string; updatedAt: Date; status: string }): string {
    return JSON.stringify([s.credentialId, s.username, s.type, s.folder]);
  }

  private async lease(sourceId: string): Promise<boolean> {
    const rows = await this.onLeaseConnection((c) => c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LEASE_CLASS, sourceId]));
    return rows?.rows[0]?.ok === true;
  }

  private async release(sourceId: string): Promise<void> {
    await this.onLeaseConnection((c) => c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_CLASS, sourceId])).catch(() => {});
  }

  /**
   * Runs a query on the lease connection after the ones before it: watchers stop concurrently, and
   * node-postgres refuses (from version 9; it warns today) a query sent while another is under way.
   */
  private onLeaseConnection<T>(work: (c: pg.Client) => Promise<T>): Promise<T | undefined> {
    const run = this.leaseQueue.then(() => (this.leases ? work(this.leases) : undefined));
    this.leaseQueue = run.catch(() => undefined);
    return run;
  }

  private async startOne(tenantId: string, sourceId: string, version: string): Promise<void> {
    const ctx = await contextFor(this.d, tenantId, sourceId);
    const source = await this.d.sources.stored(tenantId, sourceId);
    const log = this.d.log.child({ tenantId, sourceId });
    const entry: Running = {
      tenantId,
      version,
      retriedWithFreshToken: false,
      state: 'connecting',
      watcher: new MailboxWatcher({
        login: () => this.login(tenantId, sourceId),
        folder: source.folder,
        startFrom: source.createdAt,
        handle: (msg) => this.d.ingestion.process(ctx, { raw: msg.raw, uid: msg.uid, uidValidity: msg.uidValidity }),
        afterProcessing: { action: source.afterProcessing, ...(source.moveToFolder ? { moveTo: source.moveToFolder } : {}) },
        checkpoints: checkpointStore(this.d.db, tenantId, sourceId),
        onState: (s) => {
          entry.state = s.state;
          if (s.state === 'idle' || s.state === 'polling') entry.retriedWithFreshToken = false;
          if (s.state === 'auth-failed' && source.credentialId && !entry.retriedWithFreshToken && !/INVALID_GRANT|TESTING_APP_EXPIRED/.test(s.reason)) {
            entry.retriedWithFreshToken = true;
            this.d.tokens.forget(tenantId, source.credentialId);
            entry.watcher.kick();
            return;
          }
          void this.record(tenantId, sourceId, s);
        },
        log,
        concurrency: this.d.mailsInFlight,
        ...this.d.watcher,
      }),
    };
    this.running.set(sourceId, entry);
    entry.watcher.start();
    log.info({ folder: source.folder }, 'watching mailbox');
  }

  private async login(tenantId: string, sourceId: string): Promise<ImapLogin> {
    const s = await this.d.sources.stored(tenantId, sourceId);
    if (s.type === 'IMAP_GMAIL_OAUTH') {
      if (!s.credentialId || !s.username) throw Object.assign(new Error('The Message Source is not authorized.'), { code: 'INVALID_GRANT' });
      const { host, port, tls } = this.d.gmail.imap;
      return { host, port, secure: tls, auth: { user: s.username, accessToken: await this.d.tokens.get(tenantId, s.credentialId) } };
    }
    return { host: s.host ?? '', port: s.port ?? (s.tls ? 993 : 143), secure: s.tls, auth: { user: s.username ?? '', pass: s.password ?? '' } };
  }

  /** Shows the watcher's trouble on the source's status lozenge (and clears it once it works). */
  private async record(tenantId: string, sourceId: string, s: WatcherState): Promise<void> {
    const data =
      s.state === 'auth-failed'
        ? { status: 'NEEDS_REAUTHORIZATION' as const, statusReason: /TESTING_APP_EXPIRED/.test(s.reason) ? 'TESTING_APP_EXPIRED' : /INVALID_GRANT/.test(s.reason) ? 'INVALID_GRANT' : 'MAIL_AUTH_FAILED', statusDetail: s.reason.slice(0, 500) }
        : s.state === 'idle' || s.state === 'polling'
          ? { status: 'AUTHORIZED' as const, statusReason: null, statusDetail: null, lastCheckedAt: new Date() }
          : undefined;
    if (!data) return;
    await this.d.db.messageSource
      .updateMany({ where: { id: sourceId, tenantId, NOT: { status: data.status, statusReason: data.statusReason } }, data })
      .catch((err: unknown) => this.d.log.warn({ err: String(err), sourceId }, 'could not record the mailbox state'));
  }

  private async stopOne(sourceId: string): Promise<void> {
    const r = this.running.get(sourceId);
    if (!r) return;
    this.running.delete(sourceId);
    await r.watcher.stop();
    await this.release(sourceId);
  }

  private async stopWatchers(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stopOne(id)));
  }
}
