// The mailbox watcher's contract with the ingestion worker: what it is given, what it hands over and
// what it reports. Kept apart from the watcher itself so the worker and its tests can depend on the
// shapes without pulling in imapflow.

/**
 * How far a folder has been processed. The store must keep every field, `catchUp` included (it is
 * absent most of the time); the watcher is its only writer.
 */
export interface Checkpoint {
  uidValidity: bigint;
  /** Every message with a UID up to this one has been handled (or skipped on purpose, see catchUp). */
  lastUid: bigint;
  /**
   * No message above lastUid arrived (INTERNALDATE) before this moment. Where a re-sync starts when
   * UIDVALIDITY changes and lastUid means nothing any more.
   */
  sweptUntil: Date;
  /**
   * Present while a first sync or a re-sync after a UIDVALIDITY change is under way: of the messages
   * with a UID up to throughUid, only those that arrived at or after `since` are offered. Persisted so
   * a restart in the middle neither offers the skipped old mail nor loses the rest.
   */
  catchUp?: { since: Date; throughUid: bigint };
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  save(cp: Checkpoint): Promise<void>;
}

export interface FetchedMessage {
  uid: number;
  uidValidity: bigint;
  raw: Buffer;
  size: number;
  internalDate?: Date;
  flags: string[];
  /** Only from servers with X-GM-EXT-1 (Gmail). */
  gmail?: { emailId?: string; threadId?: string; labels?: string[] };
}

/** The worker's verdict on one message; it quarantines a message it gives up on and answers 'done'. */
export type Handled = { outcome: 'done' } | { outcome: 'retry'; reason: string };

export interface ImapLogin {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; accessToken: string } | { user: string; pass: string };
}

/** The subset of pino's Logger the watcher uses; a pino logger fits as it is. */
export interface WatcherLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AfterProcessing {
  action: 'LEAVE' | 'MARK_READ' | 'MOVE';
  /** Required for MOVE; created when missing (a Gmail label is a folder). */
  moveTo?: string;
}

export interface WatcherOptions {
  /**
   * Called before every (re)connect, so each connection uses a fresh access token. An error whose
   * `code` is 'INVALID_GRANT' or 'TESTING_APP_EXPIRED' stops the watcher until kick(); any other
   * error is retried with backoff.
   */
  login: () => Promise<ImapLogin>;
  /** e.g. 'INBOX', or a Gmail label. */
  folder: string;
  /** Mail that arrived before this is not processed on the very first sync (no checkpoint yet). */
  startFrom: Date;
  /**
   * Called for each message in UID order, with up to `concurrency` calls running at once; an exception
   * counts as a 'retry'. With more than one at once, messages after one that is retried may have been
   * done already and are offered again on the next pass: handle() must answer those as done.
   */
  handle: (msg: FetchedMessage) => Promise<Handled>;
  /** How many messages may be in handle() at once; default 1. */
  concurrency?: number;
  /**
   * No next message is read while those in handle() hold this many bytes (default 32 MiB): a run of
   * large mails is worked on one or two at a time, so memory stays bounded whatever the mailbox holds.
   */
  maxBytesInFlight?: number;
  /** Done to a message after 'done'; a failure is logged and does not hold anything up. */
  afterProcessing: AfterProcessing;
  checkpoints: CheckpointStore;
  /** For the admin UI and logs; called on every change of state. */
  onState: (s: WatcherState) => void;
  log: WatcherLog;
  /**
   * How often to look for new mail when the server has no IDLE; default 30 s. Keep it under imapflow's
   * 5-minute socket timeout, past which a quiet connection counts as dead and is reopened.
   */
  pollIntervalMs?: number;
  /** Re-enter IDLE (and look for missed mail) at least this often; default 25 min, must stay under 29. */
  maxIdleMs?: number;
  /** Backoff for reconnects and 'retry' outcomes; attempt counts from 1. Default 1 s doubling to 5 min, ±20 %. */
  retryDelayMs?: (attempt: number) => number;
}

export type WatcherState =
  | { state: 'connecting' }
  | { state: 'syncing' }
  | { state: 'idle' }
  | { state: 'polling' }
  /** Temporary trouble: network, [UNAVAILABLE], a 'retry' outcome, a failing checkpoint store. */
  | { state: 'waiting'; reason: string; retryInMs: number }
  /** The credentials were refused for good; nothing is tried again until kick(). */
  | { state: 'auth-failed'; reason: string }
  | { state: 'stopped' };
