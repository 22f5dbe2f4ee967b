// How a checkpoint moves: where a folder with no usable checkpoint starts, and how it advances past
// each message. Pure, so the rules that decide whether mail is lost or offered twice sit in one place.
import type { Checkpoint } from './watcher-types.js';

/**
 * How far before `sweptUntil` a re-sync starts. UIDs follow arrival order, but INTERNALDATE comes from
 * the server's clock and may be ordered slightly differently; offering a day twice is cheap (the
 * worker's ledger drops what it already has), losing a message is not.
 */
export const RESYNC_MARGIN_MS = 24 * 60 * 60_000;

/**
 * A checkpoint that offers the mail that arrived since `since` among the `highestUid` messages the
 * folder holds now, and everything that arrives later.
 */
export function catchUpFrom(uidValidity: bigint, highestUid: bigint, since: Date): Checkpoint {
  const cp: Checkpoint = { uidValidity, lastUid: 0n, sweptUntil: since };
  return highestUid > 0n ? { ...cp, catchUp: { since, throughUid: highestUid } } : cp;
}

/** Where a re-sync starts after UIDVALIDITY changed: never before startFrom, the admin's own limit. */
export function resyncSince(old: Checkpoint, startFrom: Date): Date {
  return new Date(Math.max(old.sweptUntil.getTime() - RESYNC_MARGIN_MS, startFrom.getTime()));
}

/** After message `uid` is done (or found gone: then `arrived` is unknown). */
export function advanced(cp: Checkpoint, uid: bigint, arrived?: Date, now = new Date()): Checkpoint {
  // During a catch-up, sweptUntil stays at `since`: the catch-up's own messages may arrive in any order.
  if (cp.catchUp && uid <= cp.catchUp.throughUid) return { ...cp, lastUid: uid };
  const { catchUp: _finished, ...rest } = cp;
  if (!arrived) return { ...rest, lastUid: uid };
  // A message moved in from elsewhere keeps its old date, and a client may append one with a date in
  // the future; neither may move the bound back, or past what has really been seen.
  const seen = arrived < now ? arrived : now;
  return { ...rest, lastUid: uid, sweptUntil: seen > cp.sweptUntil ? seen : cp.sweptUntil };
}

/** Once every message of the catch-up has been offered. */
export function catchUpDone(cp: Checkpoint): Checkpoint {
  if (!cp.catchUp) return cp;
  const { catchUp, ...rest } = cp;
  return { ...rest, lastUid: cp.lastUid > catchUp.throughUid ? cp.lastUid : catchUp.throughUid };
}

/** The part of the folder the catch-up still has to look at, if any. */
export function pendingCatchUp(cp: Checkpoint): { fromUid: bigint; throughUid: bigint; since: Date } | undefined {
  if (!cp.catchUp || cp.lastUid >= cp.catchUp.throughUid) return undefined;
  return { fromUid: cp.lastUid + 1n, throughUid: cp.catchUp.throughUid, since: cp.catchUp.since };
}
