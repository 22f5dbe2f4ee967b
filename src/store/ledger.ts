// The processed-message ledger: one row per (Message Source, message). A row is opened (PENDING) before
// the Jira call and completed with the issue key after it, so a message is never done twice, and a
// PENDING row found again after a crash says "look in Jira before creating anything".
//
// Opening a row (with the mail's raw bytes) and closing it (with its activity row) are one SQL statement
// each: a backlog of mail is drained at the speed of these round trips, so a new mail costs two of them
// here rather than the six that a find-then-create and separate activity and raw-message inserts took.
import type { Db } from './db.js';
import type { LedgerEntry } from '../generated/prisma/client.js';
import type { ActivityEntry } from './activity.js';

export type LedgerRow = Pick<LedgerEntry, 'id' | 'state' | 'issueKey' | 'commentId' | 'attempts' | 'lastError' | 'updatedAt' | 'messageKey'>;

const ROW = { id: true, state: true, issueKey: true, commentId: true, attempts: true, lastError: true, updatedAt: true, messageKey: true } as const;

export interface Opened {
  /** For a row that existed, updatedAt is when its last attempt began (or ended in failure). */
  row: LedgerRow;
  /** False when the row existed: an earlier attempt may have reached Jira. */
  fresh: boolean;
}

export interface OpenInfo {
  messageId?: string | undefined;
  uid?: bigint;
  uidValidity?: bigint;
  /** The mail as it came, kept beside a new row (the admin UI's Raw message, Reprocess). */
  raw?: Buffer | undefined;
}

/** How a row ends (or pauses, for FAILED), and the activity row that says so, written together. */
export type Transition =
  | { state: 'DONE'; issueKey: string; commentId?: string | undefined }
  | { state: 'IGNORED' | 'QUARANTINED' | 'FAILED'; error: string };

/** The activity row written with a transition; its tenant, Message Source and ledger row are the row's own. */
export type ActivityOf = Omit<ActivityEntry, 'ledgerEntryId' | 'sourceId'>;

const MAX_ERROR = 2000;
// Timestamps are stored as UTC without a zone, as Prisma writes them; now() alone would be the session's zone.
const NOW_UTC = "(now() AT TIME ZONE 'UTC')";

export class Ledger {
  constructor(private readonly db: Db) {}

  /**
   * Opens the message's row (its first attempt begins now), or returns the existing one. A row already
   * DONE, IGNORED or QUARANTINED means the message needs nothing more; for a PENDING or FAILED one the
   * caller decides whether to begin another attempt (beginAttempt).
   */
  async open(tenantId: string, sourceId: string, messageKey: string, info: OpenInfo = {}): Promise<Opened> {
    // A view of the same bytes, not a copy: a large mail is held once.
    const raw = info.raw ? new Uint8Array(info.raw.buffer, info.raw.byteOffset, info.raw.length) : null;
    const rows = await this.db.$queryRawUnsafe<(LedgerRow & { fresh: boolean })[]>(
      `WITH opened AS (
         INSERT INTO "LedgerEntry" ("id", "tenantId", "sourceId", "messageKey", "messageId", "uid", "uidValidity", "attempts", "createdAt", "updatedAt")
         VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4, $5, $6, 1, ${NOW_UTC}, ${NOW_UTC})
         ON CONFLICT ("sourceId", "messageKey") DO NOTHING
         RETURNING "id", "state", "issueKey", "commentId", "attempts", "lastError", "updatedAt", "messageKey"
       ), kept AS (
         INSERT INTO "RawMessage" ("ledgerEntryId", "tenantId", "content", "size", "createdAt")
         SELECT "id", $1::uuid, $7::bytea, $8, ${NOW_UTC} FROM opened WHERE $7::bytea IS NOT NULL
       )
       SELECT "id", "state"::text AS "state", "issueKey", "commentId", "attempts", "lastError", "updatedAt", "messageKey", true AS "fresh" FROM opened`,
      tenantId,
      sourceId,
      messageKey,
      info.messageId ?? null,
      info.uid ?? null,
      info.uidValidity ?? null,
      raw,
      raw?.length ?? 0,
    );
    if (rows[0]) return { row: asRow(rows[0]), fresh: true };
    // The row existed, or another process opened it a moment ago (its INSERT waited for that one's commit).
    const row = await this.db.ledgerEntry.findUniqueOrThrow({ where: { sourceId_messageKey: { sourceId, messageKey } }, select: ROW });
    return { row, fresh: false };
  }

  /** Marks the start of another attempt (it may reach Jira): counts it and stamps its time. */
  async beginAttempt(id: string): Promise<LedgerRow> {
    return this.db.ledgerEntry.update({ where: { id }, data: { attempts: { increment: 1 } }, select: ROW });
  }

  /**
   * Moves a row to its next state and, when given, records the activity row that tells the admin so,
   * in one statement: a mail is never shown as done without being done, nor done without being shown.
   */
  async transition(tenantId: string, id: string, t: Transition, activity?: ActivityOf): Promise<void> {
    const done = t.state === 'DONE';
    const completes = t.state !== 'FAILED';
    const lastError = done ? null : t.error.slice(0, MAX_ERROR);
    const a = activity;
    await this.db.$executeRawUnsafe(
      `WITH moved AS (
         UPDATE "LedgerEntry" SET "state" = $3::"LedgerState", "lastError" = $4,
           "issueKey" = CASE WHEN $5::text IS NULL THEN "issueKey" ELSE $5 END,
           "commentId" = CASE WHEN $3 = 'DONE' THEN $6 ELSE "commentId" END,
           "completedAt" = CASE WHEN $7 THEN ${NOW_UTC} ELSE "completedAt" END,
           "updatedAt" = ${NOW_UTC}
         WHERE "id" = $2::uuid AND "tenantId" = $1::uuid
         RETURNING "id", "sourceId"
       )
       INSERT INTO "Activity" ("id", "tenantId", "sourceId", "at", "outcome", "reason", "issueKey", "messageId", "subject", "sender", "details", "ledgerEntryId")
       SELECT gen_random_uuid(), $1::uuid, "sourceId", ${NOW_UTC}, $9, $10, $11, $12, $13, $14, $15::jsonb, "id" FROM moved WHERE $8`,
      tenantId,
      id,
      t.state,
      lastError,
      done ? t.issueKey : null,
      done ? (t.commentId ?? null) : null,
      completes,
      a !== undefined,
      a?.outcome ?? null,
      a?.reason?.slice(0, MAX_ERROR) ?? null,
      a?.issueKey ?? null,
      a?.messageId ?? null,
      a?.subject?.slice(0, 500) ?? null,
      a?.sender ?? null,
      a?.details ? JSON.stringify(a.details) : null,
    );
  }

  /** Sets a row back to be processed again (the admin's Reprocess). */
  async reopen(tenantId: string, id: string): Promise<boolean> {
    const { count } = await this.db.ledgerEntry.updateMany({ where: { id, tenantId }, data: { state: 'PENDING', attempts: 0, completedAt: null } });
    return count === 1;
  }

  /** A row of the tenant's Message Source, or null (another tenant's or source's id). */
  async find(tenantId: string, sourceId: string, id: string): Promise<LedgerRow | null> {
    return this.db.ledgerEntry.findFirst({ where: { id, tenantId, sourceId }, select: ROW });
  }

  /** The issues the tenant's mail with these Message-IDs went to, in the order of the ids given. */
  async issueKeysFor(tenantId: string, messageIds: string[]): Promise<string[]> {
    if (!messageIds.length) return [];
    const rows = await this.db.ledgerEntry.findMany({
      where: { tenantId, messageId: { in: messageIds }, issueKey: { not: null }, state: 'DONE' },
      select: { messageId: true, issueKey: true },
    });
    const byId = new Map(rows.map((r) => [r.messageId, r.issueKey!]));
    return messageIds.map((id) => byId.get(id)).filter((k): k is string => k !== undefined);
  }
}

function asRow(r: LedgerRow & { fresh: boolean }): LedgerRow {
  const { fresh: _fresh, ...row } = r;
  return row;
}
