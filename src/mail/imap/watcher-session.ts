// One IMAP connection of a mailbox watcher, from login to logout: the folder selected, the server's
// new-mail announcements turned into wake-ups, IDLE entered on request, the few commands a sync needs,
// and a close that never hangs. A new one is made for every reconnect, so nothing (listeners, IDLE
// state, a half-read answer) carries over from a connection that failed.
import { ImapFlow, type FetchMessageObject, type SearchObject } from 'imapflow';
import { connectFailure, describe, WatcherError } from './watcher-errors.js';
import type { FetchedMessage, ImapLogin, WatcherLog } from './watcher-types.js';
import { Wakeup } from './watcher-wakeup.js';

const CONNECT_TIMEOUT_MS = 15_000;
// A LOGOUT answered within this is polite; past it the socket is simply dropped, so stop() stays quick.
const LOGOUT_WAIT_MS = 300;

export interface Arrival {
  uid: number;
  arrived?: Date;
}

export class ImapSession {
  /** Woken when the server announces new mail or the connection closes. */
  readonly changes = new Wakeup();
  readonly where: string;
  private readonly client: ImapFlow;
  private readonly folder: string;
  private readonly log: WatcherLog;
  private idleRefused = false;
  private closing?: Promise<void>;

  constructor(login: ImapLogin, folder: string, maxIdleMs: number, log: WatcherLog) {
    this.where = `${login.host}:${login.port}`;
    this.folder = folder;
    this.log = log;
    this.client = new ImapFlow({
      host: login.host,
      port: login.port,
      secure: login.secure,
      auth: login.auth,
      logger: false,
      // IDLE is entered by us right after each sync, not 15 s later by imapflow.
      disableAutoIdle: true,
      maxIdleTime: maxIdleMs,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      greetingTimeout: CONNECT_TIMEOUT_MS,
    });
    // Kept for the client's whole life: imapflow may still report an error after close(), and an
    // 'error' event nobody listens to would crash the process. The failure itself reaches us as the
    // rejection of whatever command was running, or as 'close'.
    this.client.on('error', (err: unknown) => log.debug({ err, where: this.where }, 'IMAP connection reported an error'));
    this.client.on('exists', this.onChange);
    this.client.on('close', this.onChange);
  }

  private readonly onChange = () => this.changes.wake();

  async open(readOnly: boolean): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      throw connectFailure(err, this.where);
    }
    try {
      await this.client.mailboxOpen(this.folder, { readOnly });
    } catch (err) {
      throw new WatcherError('IMAP_FOLDER_UNAVAILABLE', `The folder "${this.folder}" could not be opened on ${this.where}: ${describe(err)}`, { cause: err });
    }
  }

  get usable(): boolean {
    return this.client.usable && !this.closing;
  }

  get uidValidity(): bigint {
    const box = this.client.mailbox;
    if (!box) throw new WatcherError('IMAP_FOLDER_UNAVAILABLE', `The folder "${this.folder}" on ${this.where} is no longer selected.`);
    return box.uidValidity;
  }

  /** The highest UID in the folder right now; 0 when it is empty. */
  async highestUid(): Promise<bigint> {
    const last = await this.client.fetchOne('*', { uid: true });
    return last ? BigInt(last.uid) : 0n;
  }

  /** UIDs matching `query`, ascending. A refused SEARCH throws: read as "none", it would skip mail. */
  async searchUids(query: SearchObject): Promise<number[]> {
    const uids = await this.client.search(query, { uid: true });
    if (!Array.isArray(uids)) {
      throw new WatcherError('IMAP_SEARCH_REFUSED', `${this.where} refused to search "${this.folder}"; nothing is skipped, the search is tried again.`);
    }
    return [...uids].sort((a, b) => a - b);
  }

  /** When each of `uids` arrived, in one FETCH of nothing but dates. */
  async arrivals(uids: number[]): Promise<Arrival[]> {
    if (uids.length === 0) return [];
    const rows = await this.client.fetchAll(uidSet(uids), { uid: true, internalDate: true }, { uid: true });
    return rows.map((row) => ({ uid: row.uid, arrived: toDate(row.internalDate) }));
  }

  /** The whole message; undefined when it is gone (expunged since the search). */
  async fetchMessage(uid: number): Promise<FetchedMessage | undefined> {
    const query = { uid: true, source: true, internalDate: true, flags: true, size: true, threadId: true, labels: true };
    const row = await this.client.fetchOne(String(uid), query, { uid: true });
    if (!row) {
      // Only a message the server no longer has may be passed over; anything else is tried again.
      if ((await this.searchUids({ uid: String(uid) })).length === 0) return undefined;
      throw new WatcherError('IMAP_MESSAGE_UNREADABLE', `${this.where} did not return message ${uid} of "${this.folder}" though it still lists it.`);
    }
    if (!row.source) {
      throw new WatcherError('IMAP_MESSAGE_UNREADABLE', `${this.where} returned message ${uid} of "${this.folder}" without its content.`);
    }
    return toFetched(row, row.source, this.uidValidity, this.client.capabilities.has('X-GM-EXT-1'));
  }

  async markRead(uid: number): Promise<void> {
    const ok = await this.client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (!ok) throw new WatcherError('IMAP_MESSAGE_UNREADABLE', `${this.where} did not mark message ${uid} of "${this.folder}" as read.`);
  }

  /** Moves a message, creating the target folder (a Gmail label) when the server says it is missing. */
  async move(uid: number, target: string): Promise<void> {
    // Trying first costs nothing once the folder exists; a missing one makes MOVE answer NO [TRYCREATE].
    if (await this.client.messageMove(String(uid), target, { uid: true })) return;
    await this.client.mailboxCreate(target);
    if (await this.client.messageMove(String(uid), target, { uid: true })) return;
    throw new WatcherError('IMAP_FOLDER_UNAVAILABLE', `${this.where} did not move message ${uid} of "${this.folder}" to "${target}".`);
  }

  /** Whether waiting for new mail can use IDLE; otherwise the watcher polls. */
  get canIdle(): boolean {
    return this.client.capabilities.has('IDLE') && !this.idleRefused;
  }

  /**
   * IDLE until the server announces a change, `ms` pass, or wake() is called on `changes`. IDLE is
   * not ended here: the sync's next command ends it, which saves a round trip.
   */
  async idle(ms: number): Promise<void> {
    const idling = this.client.idle().then(
      (result) => {
        // imapflow answers false when the server refused IDLE on a connection that still works.
        if (result === false && this.client.usable) this.idleRefused = true;
      },
      (err: unknown) => this.log.debug({ err, where: this.where }, 'IDLE ended with an error'),
    );
    await Promise.race([idling, this.changes.sleep(ms)]);
    this.changes.cancel();
  }

  /** Ends the connection; safe to call more than once and from stop() while a command runs. */
  close(): Promise<void> {
    this.closing ??= this.logout();
    return this.closing;
  }

  private async logout(): Promise<void> {
    this.client.off('exists', this.onChange);
    this.client.off('close', this.onChange);
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => (timer = setTimeout(resolve, LOGOUT_WAIT_MS)));
    await Promise.race([this.client.logout().catch(() => undefined), patience]);
    clearTimeout(timer);
    this.client.close();
  }
}

function toFetched(row: FetchMessageObject, raw: Buffer, uidValidity: bigint, isGmail: boolean): FetchedMessage {
  const msg: FetchedMessage = { uid: row.uid, uidValidity, raw, size: row.size ?? raw.length, flags: [...(row.flags ?? [])] };
  const internalDate = toDate(row.internalDate);
  if (internalDate) msg.internalDate = internalDate;
  // imapflow also fills emailId from OBJECTID (RFC 8474) servers; only Gmail's are Gmail's.
  const gmail = isGmail ? gmailFields(row) : undefined;
  if (gmail) msg.gmail = gmail;
  return msg;
}

function gmailFields(row: FetchMessageObject): FetchedMessage['gmail'] {
  const gmail: NonNullable<FetchedMessage['gmail']> = {};
  if (row.emailId) gmail.emailId = row.emailId;
  if (row.threadId) gmail.threadId = row.threadId;
  if (row.labels) gmail.labels = [...row.labels];
  return Object.keys(gmail).length > 0 ? gmail : undefined;
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A compact UID set ("3:7,9"), so a catch-up over thousands of messages stays one short command. */
function uidSet(sortedUids: number[]): string {
  const runs: string[] = [];
  let start = sortedUids[0]!;
  let end = start;
  for (const uid of sortedUids.slice(1)) {
    if (uid === end + 1) {
      end = uid;
      continue;
    }
    runs.push(start === end ? `${start}` : `${start}:${end}`);
    start = end = uid;
  }
  runs.push(start === end ? `${start}` : `${start}:${end}`);
  return runs.join(',');
}
