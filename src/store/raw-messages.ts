// Each handled mail as it came (its RFC 5322 bytes), kept for the admin UI's "Raw message" and
// Reprocess, one per ledger row, for 30 days (services.purge()).
import type { Db } from './db.js';

export const RAW_MESSAGE_RETENTION_DAYS = 30;

export class RawMessages {
  constructor(private readonly db: Db) {}

  /** Keeps the mail of a just-opened ledger row (again offered, it is kept once). */
  async save(tenantId: string, ledgerEntryId: string, content: Buffer): Promise<void> {
    // One INSERT ... ON CONFLICT DO NOTHING: an upsert costs a transaction and reads the bytes back.
    await this.db.rawMessage.createMany({ data: [{ ledgerEntryId, tenantId, content: new Uint8Array(content), size: content.length }], skipDuplicates: true });
  }

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
