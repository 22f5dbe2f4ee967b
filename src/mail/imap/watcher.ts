// Watches one folder of one mailbox and turns every message that arrives into one call of the
// ingestion worker's handle(), within about a second: IDLE right after each sync (or polling where the
// server has no IDLE), a catch-up sweep after every reconnect, backoff on trouble, and a full stop when
// the credentials are refused for good, until kick(). Which messages are due is decided by
// watcher-sync.ts; one connection's mechanics live in watcher-session.ts.
import { describe, isFinal, loginFailure, WatcherError } from './watcher-errors.js';
import { ImapSession } from './watcher-session.js';
import { FolderSync } from './watcher-sync.js';
import type { ImapLogin, WatcherOptions, WatcherState } from './watcher-types.js';
import { Wakeup } from './watcher-wakeup.js';

export type * from './watcher-types.js';
export { WatcherError, type WatcherErrorCode } from './watcher-errors.js';

const DEFAULT_POLL_INTERVAL_MS = 30_000;
const DEFAULT_MAX_IDLE_MS = 25 * 60_000;
// Gmail ends an IDLE after 29 minutes (PLATFORM.md); imapflow does not restart it unless told to.
const MAX_IDLE_LIMIT_MS = 29 * 60_000;
const DEFAULT_MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 5 * 60_000;

/** 1 s, 2 s, 4 s ... up to 5 min, each ±20 % so many watchers that failed together do not return together. */
function defaultRetryDelay(attempt: number): number {
  const base = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

type Resolved = Required<WatcherOptions>;

/** How a connection ended, and so what the watcher does next. */
type SessionEnd = { end: 'stopped' } | { end: 'auth-failed'; reason: string } | { end: 'trouble'; reason: string; progressed: boolean };

export class MailboxWatcher {
  private readonly o: Resolved;
  /** Wakes the watcher between connections: kick() or stop() during a backoff or after auth-failed. */
  private readonly attention = new Wakeup();
  private session?: ImapSession;
  private running?: Promise<void>;
  private stopping = false;
  /** Settles when stop() is called, so a login() that hangs does not hold stop() up. */
  private stopRequested = signal();
  /** Messages in the worker's hands: stop() must not close the connection under them. */
  private handling = 0;
  private progressed = false;
  private lastState?: string;

  constructor(options: WatcherOptions) {
    this.o = resolve(options);
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.stopRequested = signal();
    this.attention.clear();
    // run() handles every failure it expects; this is for a bug, or a retryDelayMs that throws.
    this.running = this.run().catch((err: unknown) => {
      this.o.log.error({ err, folder: this.o.folder }, 'The watcher stopped on an unexpected error');
      this.report({ state: 'stopped' });
    });
  }

  /**
   * Closes the connection at once, also mid-IDLE, mid-connect or mid-backoff. While handle() runs it
   * waits for it, saves its checkpoint and does the after-processing step, so no work is redone.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopRequested.resolve();
    this.attention.wake();
    this.session?.changes.wake();
    if (this.handling === 0) void this.session?.close();
    await this.running;
    this.running = undefined;
    this.report({ state: 'stopped' });
  }

  /** Wakes a watcher stopped on auth-failed (after re-authorization), ends a backoff, or syncs now. */
  kick(): void {
    if (this.session) this.session.changes.wake();
    else this.attention.wake();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      const ended = await this.connection();
      if (ended.end === 'stopped' || this.stopping) break;
      if (ended.end === 'auth-failed') {
        this.report({ state: 'auth-failed', reason: ended.reason });
        await this.attention.sleep(Infinity);
        attempt = 0;
        continue;
      }
      // A connection that got somewhere starts the backoff over; one that failed again goes on with it.
      attempt = ended.progressed ? 1 : attempt + 1;
      const retryInMs = this.o.retryDelayMs(attempt);
      this.report({ state: 'waiting', reason: ended.reason, retryInMs });
      await this.attention.sleep(retryInMs);
    }
  }

  /** One connection, from login to its end, syncing and waiting for mail in turn. */
  private async connection(): Promise<SessionEnd> {
    this.report({ state: 'connecting' });
    this.progressed = false;
    let session: ImapSession | undefined;
    try {
      const login = await this.login();
      if (!login || this.stopping) return { end: 'stopped' };
      session = new ImapSession(login, this.o.folder, this.o.maxIdleMs, this.o.log);
      this.session = session;
      // LEAVE promises not to touch the mailbox, so the folder is opened read-only (EXAMINE).
      await session.open(this.o.afterProcessing.action === 'LEAVE');
      const sync = await FolderSync.open(this.syncOptions(), session);
      // A kick() that came while connecting is answered by the sync about to run.
      this.attention.clear();
      this.o.log.info({ folder: this.o.folder, where: session.where }, 'Connected; watching the folder');
      return await this.watch(session, sync);
    } catch (err) {
      if (this.stopping) return { end: 'stopped' };
      return this.failed(err);
    } finally {
      this.session = undefined;
      await session?.close();
    }
  }

  /** Fresh credentials; undefined when stop() came first. */
  private async login(): Promise<ImapLogin | undefined> {
    const pending = this.o.login();
    // Left behind by stop(), it may still fail later; that must not become an unhandled rejection.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending, this.stopRequested.promise]);
    } catch (err) {
      throw loginFailure(err);
    }
  }

  private async watch(session: ImapSession, sync: FolderSync): Promise<SessionEnd> {
    for (;;) {
      this.report({ state: 'syncing' });
      const result = await sync.run();
      if (result.outcome === 'stopped' || this.stopping) return { end: 'stopped' };
      if (result.outcome === 'retry') return { end: 'trouble', reason: result.reason, progressed: this.progressed };
      this.progressed = true;
      await this.rest(session);
      if (this.stopping) return { end: 'stopped' };
    }
  }

  /** Waits for new mail: IDLE where the server has it, else one poll interval. */
  private async rest(session: ImapSession): Promise<void> {
    if (!session.usable) {
      throw new WatcherError('IMAP_UNREACHABLE', `The connection to ${session.where} was closed.`);
    }
    if (session.canIdle) {
      this.report({ state: 'idle' });
      // Also a sweep every maxIdleMs, for an announcement the server might have missed.
      await session.idle(this.o.maxIdleMs);
    } else {
      this.report({ state: 'polling' });
      await session.changes.sleep(this.o.pollIntervalMs);
    }
  }

  private failed(err: unknown): SessionEnd {
    const reason = describe(err);
    if (isFinal(err)) {
      this.o.log.error({ err, folder: this.o.folder }, 'The mailbox refused its credentials; watching stops until it is authorized again');
      return { end: 'auth-failed', reason };
    }
    this.o.log.warn({ err, folder: this.o.folder }, 'Watching the folder failed; trying again after a pause');
    return { end: 'trouble', reason, progressed: this.progressed };
  }

  private syncOptions() {
    return {
      ...this.o,
      // stop() must not close the connection under a message that is being handled.
      handle: async (msg: Parameters<Resolved['handle']>[0]) => {
        this.handling++;
        try {
          return await this.o.handle(msg);
        } finally {
          this.handling--;
        }
      },
      isStopping: () => this.stopping,
      onProgress: () => (this.progressed = true),
    };
  }

  private report(state: WatcherState): void {
    const key = JSON.stringify(state);
    if (key === this.lastState) return;
    this.lastState = key;
    try {
      this.o.onState(state);
    } catch (err) {
      this.o.log.warn({ err, state }, 'onState threw; the watcher carries on');
    }
  }
}

function resolve(o: WatcherOptions): Resolved {
  const r: Resolved = {
    ...o,
    pollIntervalMs: o.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    maxIdleMs: o.maxIdleMs ?? DEFAULT_MAX_IDLE_MS,
    retryDelayMs: o.retryDelayMs ?? defaultRetryDelay,
    concurrency: o.concurrency ?? 1,
    maxBytesInFlight: o.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT,
  };
  const { action, moveTo } = r.afterProcessing;
  if (action === 'MOVE' && !moveTo) {
    throw new WatcherError('WATCHER_BAD_OPTIONS', `afterProcessing MOVE needs a moveTo folder for "${o.folder}".`);
  }
  // Dovecot carries out such a MOVE: the message comes back with a new UID and is offered forever.
  if (action === 'MOVE' && moveTo && sameFolder(moveTo, o.folder)) {
    throw new WatcherError('WATCHER_BAD_OPTIONS', `afterProcessing MOVE cannot move mail to "${moveTo}", the folder being watched.`);
  }
  if (!(r.maxIdleMs > 0 && r.maxIdleMs < MAX_IDLE_LIMIT_MS)) {
    throw new WatcherError('WATCHER_BAD_OPTIONS', `maxIdleMs must be above 0 and under 29 minutes (Gmail ends IDLE at 29), not ${r.maxIdleMs}.`);
  }
  if (!(Number.isInteger(r.concurrency) && r.concurrency >= 1)) {
    throw new WatcherError('WATCHER_BAD_OPTIONS', `concurrency must be a whole number of at least 1, not ${r.concurrency}.`);
  }
  if (!(r.pollIntervalMs > 0)) {
    throw new WatcherError('WATCHER_BAD_OPTIONS', `pollIntervalMs must be above 0, not ${r.pollIntervalMs}.`);
  }
  return r;
}

/** A promise for "it happened", settled from outside (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<undefined>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<undefined>((settle) => (resolve = () => settle(undefined)));
  return { promise, resolve };
}

function sameFolder(a: string, b: string): boolean {
  // INBOX is the one name IMAP compares without case (RFC 3501 section 5.1).
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}
