// Each handled mail as it came (its RFC 5322 bytes), kept for the admin UI's "Raw message" and
// Reprocess, one per ledger row, for 30 days (services.purge()). Written with the ledger row (Ledger.open).
import type { Db } from './db.js';

export const RAW_MESSAGE_RETENTION_DAYS = 30;

export class RawMessages {
  constructor(private readonly db: Db) {}

  /** The mail of a ledger row of the tenant's Message Source, or null (another tenant's, or purged). */
  async get(tenantId: string, sourceId: string, ledgerEntryId: string): Promise<Buffer | null> {
    const row = await this.db.rawMessage.findFirst({ where: { ledgerEntryId, tenantId, ledgerEntry: { tenantId, sourceId } }, select: { content: true } });
    return row ? Buffer.from(row.content) : null;
  }

  async purgeOlderThan(date: Date): Promise<number> {
    const { count } = await this.db.rawMessage.deleteMany({ where: { createdAt: { lt: date } } });
    return count;
  }
}
