// Where a Message Source's watcher keeps its place in the mailbox (MessageSource.checkpoint), as JSON
// with BigInts written as strings.
import type { Db } from './db.js';
import type { Checkpoint, CheckpointStore } from '../mail/imap/watcher-types.js';

interface Stored {
  uidValidity: string;
  lastUid: string;
  sweptUntil: string;
  catchUp?: { since: string; throughUid: string };
}

export function checkpointStore(db: Db, tenantId: string, sourceId: string): CheckpointStore {
  return {
    async load() {
      const row = await db.messageSource.findFirst({ where: { id: sourceId, tenantId }, select: { checkpoint: true } });
      const s = row?.checkpoint as Stored | null | undefined;
      if (!s) return null;
      return {
        uidValidity: BigInt(s.uidValidity),
        lastUid: BigInt(s.lastUid),
        sweptUntil: new Date(s.sweptUntil),
        ...(s.catchUp ? { catchUp: { since: new Date(s.catchUp.since), throughUid: BigInt(s.catchUp.throughUid) } } : {}),
      };
    },
    async save(cp: Checkpoint) {
      const stored: Stored = {
        uidValidity: cp.uidValidity.toString(),
        lastUid: cp.lastUid.toString(),
        sweptUntil: cp.sweptUntil.toISOString(),
        ...(cp.catchUp ? { catchUp: { since: cp.catchUp.since.toISOString(), throughUid: cp.catchUp.throughUid.toString() } } : {}),
      };
      const { count } = await db.messageSource.updateMany({ where: { id: sourceId, tenantId }, data: { checkpoint: { ...stored } } });
      if (count === 0) throw new Error('The Message Source was deleted while its mailbox was being watched.');
    },
  };
}
