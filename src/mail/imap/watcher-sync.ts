// One pass over a folder on one connection: every message the checkpoint does not cover, handed to the
// worker in UID order (a few at once when the worker takes them), the checkpoint moving over each run
// of 'done' messages. It stops at the first message the worker wants to retry, and the checkpoint never
// passes it, so nothing is ever skipped. Progress is kept by UIDVALIDITY + UID and never by \Seen:
// people read the same mailbox in Gmail.
import { advanced, catchUpDone, catchUpFrom, pendingCatchUp, resyncSince } from './watcher-checkpoint.js';
import { describe, WatcherError } from './watcher-errors.js';
import { CheckpointSaves } from './watcher-saves.js';
import type { ImapSession } from './watcher-session.js';
import type { Checkpoint, FetchedMessage, Handled, WatcherOptions } from './watcher-types.js';

export type SyncResult = { outcome: 'caught-up' } | { outcome: 'retry'; reason: string } | { outcome: 'stopped' };

export type SyncOptions = Pick<WatcherOptions, 'folder' | 'startFrom' | 'handle' | 'afterProcessing' | 'checkpoints' | 'log'> & {
  /** How many messages may be in the worker's hands at once (at least 1). */
  concurrency: number;
  /** No next message is read while those in the worker's hands hold this many bytes. */
  maxBytesInFlight: number;
  isStopping: () => boolean;
  /** Told after every message that is done with, so the watcher knows the connection made progress. */
  onProgress: () => void;
};

const CAUGHT_UP: SyncResult = { outcome: 'caught-up' };

const DAY_MS = 24 * 60 * 60_000;

/** A message handed to the worker, until the checkpoint has moved over it. */
interface Offered {
  uid: number;
  done: boolean;
  arrived?: Date;
}

export class FolderSync {
  private readonly saves: CheckpointSaves;
  private readonly concurrency: number;

  private constructor(
    private readonly o: SyncOptions,
    private readonly s: ImapSession,
    private cp: Checkpoint,
  ) {
    this.saves = new CheckpointSaves(o.checkpoints, o.folder);
    this.concurrency = o.concurrency;
  }

  /**
   * For a connection that has just selected the folder. The checkpoint is read anew on every
   * connection; a server that changes UIDVALIDITY has to end the selection, so one check is enough.
   */
  static async open(o: SyncOptions, s: ImapSession): Promise<FolderSync> {
    const known = await load(o);
    if (known?.uidValidity === s.uidValidity) return new FolderSync(o, s, known);
    const started = await startCatchUp(o, s, known);
    await save(o, started);
    return new FolderSync(o, s, started);
  }

  async run(): Promise<SyncResult> {
    const catchUp = pendingCatchUp(this.cp);
    if (catchUp) {
      const result = await this.offerAll(await this.catchUpUids(catchUp));
      if (result.outcome !== 'caught-up') return result;
      await this.save(catchUpDone(this.cp));
    }
    return this.offerAll(await this.newUids());
  }

  /** The catch-up's messages that really arrived since `since` (SEARCH SINCE only knows days). */
  private async catchUpUids(range: { fromUid: bigint; throughUid: bigint; since: Date }): Promise<number[]> {
    // A day early: SEARCH SINCE compares dates in the server's time zone, not ours.
    const candidates = await this.s.searchUids({ uid: `${range.fromUid}:${range.throughUid}`, since: new Date(range.since.getTime() - DAY_MS) });
    // INTERNALDATE has whole seconds: a message from the same second as `since` is offered, not lost.
    const notBefore = Math.floor(range.since.getTime() / 1000) * 1000;
    const inRange = (uid: number) => uid >= range.fromUid && uid <= range.throughUid;
    return (await this.s.arrivals(candidates))
      .filter((a) => inRange(a.uid) && (!a.arrived || a.arrived.getTime() >= notBefore))
      .map((a) => a.uid)
      .sort((a, b) => a - b);
  }

  private async newUids(): Promise<number[]> {
    const from = this.cp.lastUid + 1n;
    // "n:*" also matches the highest UID when n is above it (RFC 3501 section 6.4.8).
    return (await this.s.searchUids({ uid: `${from}:*` })).filter((uid) => uid >= from);
  }

  /**
   * Offers `uids` in order, with up to `concurrency` in the worker's hands at once. The checkpoint
   * moves over a message only once it and every message before it are done, so a crash or a retry
   * never skips one; messages after a retried one that were done meanwhile are offered again later,
   * which the worker's ledger answers at once.
   */
  private async offerAll(uids: number[]): Promise<SyncResult> {
    const inFlight = new Set<Promise<void>>();
    let bytesInFlight = 0;
    const pending: Offered[] = [];
    let retry: SyncResult | undefined;
    let result: SyncResult = CAUGHT_UP;
    const settle = () => {
      // The done prefix, in UID order: checkpoint rules (advanced()) depend on that order.
      let cp = this.cp;
      for (let next = pending[0]; next?.done; next = pending[0]) {
        pending.shift();
        cp = advanced(cp, BigInt(next.uid), next.arrived);
      }
      if (cp === this.cp) return;
      this.cp = cp;
      this.saves.moved(cp);
    };
    const full = () => inFlight.size >= this.concurrency || (inFlight.size > 0 && bytesInFlight >= this.o.maxBytesInFlight);
    try {
      for (const uid of uids) {
        while (full() && !retry) await Promise.race(inFlight);
        if (retry) break;
        if (this.o.isStopping()) {
          result = { outcome: 'stopped' };
          break;
        }
        const msg = await this.s.fetchMessage(uid);
        const offered: Offered = { uid, done: false };
        pending.push(offered);
        if (!msg) {
          this.o.log.info({ folder: this.o.folder, uid }, 'The message was deleted before it could be read; passing over it');
          offered.done = true;
          this.o.onProgress();
          settle();
          continue;
        }
        bytesInFlight += msg.size;
        const task = this.offer(msg).then((handled) => {
          if (handled.outcome === 'retry') {
            retry ??= handled;
            return;
          }
          offered.done = true;
          if (msg.internalDate) offered.arrived = msg.internalDate;
          settle();
        });
        inFlight.add(task);
        void task.finally(() => {
          inFlight.delete(task);
          bytesInFlight -= msg.size;
        });
      }
    } finally {
      await Promise.all(inFlight);
      await this.saves.flush();
    }
    return retry ?? result;
  }

  /** One message through the worker and, once done, the after-processing step. */
  private async offer(msg: FetchedMessage): Promise<Handled> {
    const handled = await this.handle(msg);
    if (handled.outcome === 'done') {
      this.o.onProgress();
      await this.afterProcessing(msg.uid);
    }
    return handled;
  }

  /** The worker's verdict; an exception is a 'retry', never the end of the watcher. */
  private async handle(msg: FetchedMessage): Promise<Handled> {
    try {
      return await this.o.handle(msg);
    } catch (err) {
      this.o.log.error({ err, folder: this.o.folder, uid: msg.uid }, 'handle() threw; the message will be offered again');
      return { outcome: 'retry', reason: `handle() failed on message ${msg.uid}: ${describe(err)}` };
    }
  }

  private async afterProcessing(uid: number): Promise<void> {
    const { action, moveTo } = this.o.afterProcessing;
    if (action === 'LEAVE') return;
    try {
      if (action === 'MARK_READ') await this.s.markRead(uid);
      else await this.s.move(uid, moveTo!);
    } catch (err) {
      // The message is done and checkpointed; a flag or a move that did not happen holds up nothing.
      this.o.log.warn({ err, folder: this.o.folder, uid, action, moveTo }, `${action} failed after the message was processed; it stays where it is`);
    }
  }

  private async save(cp: Checkpoint): Promise<void> {
    this.cp = cp;
    this.saves.moved(cp);
    await this.saves.flush();
  }
}

/** For a folder with no checkpoint yet, or one whose UIDs were all renumbered. */
async function startCatchUp(o: SyncOptions, s: ImapSession, known: Checkpoint | null): Promise<Checkpoint> {
  const highestUid = await s.highestUid();
  const since = known ? resyncSince(known, o.startFrom) : o.startFrom;
  const fields = { folder: o.folder, uidValidity: String(s.uidValidity), highestUid: String(highestUid), since };
  if (known) {
    // The folder was recreated (or Gmail rebuilt it): its UIDs are new, lastUid means nothing.
    o.log.warn({ ...fields, previousUidValidity: String(known.uidValidity) }, 'UIDVALIDITY changed; offering again all mail since the last checkpoint');
  } else {
    o.log.info(fields, 'First sync of the folder; offering the mail that arrived since startFrom');
  }
  return catchUpFrom(s.uidValidity, highestUid, since);
}

async function load(o: SyncOptions): Promise<Checkpoint | null> {
  try {
    return await o.checkpoints.load();
  } catch (err) {
    throw new WatcherError('CHECKPOINT_STORE_FAILED', `The checkpoint of "${o.folder}" could not be read: ${describe(err)}`, { cause: err });
  }
}

async function save(o: SyncOptions, cp: Checkpoint): Promise<void> {
  try {
    await o.checkpoints.save(cp);
  } catch (err) {
    throw new WatcherError('CHECKPOINT_STORE_FAILED', `The checkpoint of "${o.folder}" could not be saved: ${describe(err)}`, { cause: err });
  }
}
