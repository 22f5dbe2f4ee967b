// The processed-message ledger: one row per (Message Source, message). A row is opened (PENDING) before
// the Jira call and completed with the issue key after it, so a message is never done twice, and a
// PENDING row found again after a crash says "look in Jira before creating anything".
import type { Db } from './db.js';
import type { LedgerEntry, LedgerState } from '../generated/prisma/client.js';
import { isUniqueViolation } from './errors.js';

export type LedgerRow = Pick<LedgerEntry, 'id' | 'state' | 'issueKey' | 'commentId' | 'attempts' | 'lastError' | 'updatedAt' | 'messageKey'>;

const ROW = { id: true, state: true, issueKey: true, commentId: true, attempts: true, lastError: true, updatedAt: true, messageKey: true } as const;

export interface Opened {
  /** For a row that existed, updatedAt is when its last attempt began (or ended in failure). */
  row: LedgerRow;
  /** False when the row existed: an earlier attempt may have reached Jira. */
  fresh: boolean;
}

export class Ledger {
  constructor(private readonly db: Db) {}

  /**
   * Opens the message's row (its first attempt begins now), or returns the existing one. A row already
   * DONE, IGNORED or QUARANTINED means the message needs nothing more; for a PENDING or FAILED one the
   * caller decides whether to begin another attempt (beginAttempt).
   */
  async open(tenantId: string, sourceId: string, messageKey: string, info: { messageId?: string | undefined; uid?: bigint; uidValidity?: bigint }): Promise<Opened> {
    const existing = await this.db.ledgerEntry.findUnique({ where: { sourceId_messageKey: { sourceId, messageKey } }, select: ROW });
    if (existing) return { row: existing, fresh: false };
    try {
      const row = await this.db.ledgerEntry.create({
        data: { tenantId, sourceId, messageKey, messageId: info.messageId ?? null, uid: info.uid ?? null, uidValidity: info.uidValidity ?? null, attempts: 1 },
        select: ROW,
      });
      return { row, fresh: true };
    } catch (err) {
      // Another process opened it a moment ago: treat it as existing.
      if (!isUniqueViolation(err)) throw err;
      const row = await this.db.ledgerEntry.findUniqueOrThrow({ where: { sourceId_messageKey: { sourceId, messageKey } }, select: ROW });
      return { row, fresh: false };
    }
  }

  /** Marks the start of another attempt (it may reach Jira): counts it and stamps its time. */
  async beginAttempt(id: string): Promise<LedgerRow> {
    return this.db.ledgerEntry.update({ where: { id }, data: { attempts: { increment: 1 } }, select: ROW });
  }

  async done(id: string, outcome: { issueKey: string; commentId?: string | undefined }): Promise<void> {
    await this.finish(id, 'DONE', { issueKey: outcome.issueKey, commentId: outcome.commentId ?? null, lastError: null });
  }

  async ignored(id: string, reason: string): Promise<void> {
    await this.finish(id, 'IGNORED', { lastError: reason });
  }

  async failed(id: string, error: string): Promise<void> {
    await this.db.ledgerEntry.update({ where: { id }, data: { state: 'FAILED', lastError: error.slice(0, 2000) } });
  }

  async quarantined(id: string, error: string): Promise<void> {
    await this.finish(id, 'QUARANTINED', { lastError: error.slice(0, 2000) });
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

  private async finish(id: string, state: LedgerState, data: { issueKey?: string; commentId?: string | null; lastError?: string | null }): Promise<void> {
    await this.db.ledgerEntry.update({ where: { id }, data: { state, completedAt: new Date(), ...data } });
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
