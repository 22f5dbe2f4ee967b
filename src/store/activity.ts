// What each Message Source did with each mail, newest first, for the admin UI: created an issue, added
// a comment, ignored it (and why), failed, or set it aside.
import type { Db } from './db.js';
import type { Activity, LedgerState } from '../generated/prisma/client.js';

export type Outcome = 'ISSUE_CREATED' | 'COMMENT_ADDED' | 'IGNORED' | 'FAILED' | 'QUARANTINED';

export interface ActivityEntry {
  sourceId: string;
  outcome: Outcome;
  reason?: string | undefined;
  issueKey?: string | undefined;
  messageId?: string | undefined;
  subject?: string | undefined;
  sender?: string | undefined;
  details?: Record<string, unknown> | undefined;
  /** The ledger row of the mail (its raw message, Reprocess). */
  ledgerEntryId?: string | undefined;
}

export type ActivityView = Pick<Activity, 'id' | 'at' | 'outcome' | 'reason' | 'issueKey' | 'messageId' | 'subject' | 'sender' | 'details'>;

/** An activity row with what the admin UI can do with its mail. */
export type ActivityRow = Pick<Activity, 'id' | 'at' | 'outcome' | 'reason' | 'issueKey' | 'messageId' | 'subject' | 'sender' | 'ledgerEntryId'> & {
  /** The mail's ledger state now, and whether its raw message is still kept. */
  ledgerEntry: { state: LedgerState; raw: { size: number } | null } | null;
};

const ROW = {
  id: true,
  at: true,
  outcome: true,
  reason: true,
  issueKey: true,
  messageId: true,
  subject: true,
  sender: true,
  ledgerEntryId: true,
  ledgerEntry: { select: { state: true, raw: { select: { size: true } } } },
} as const;

export class ActivityLog {
  constructor(private readonly db: Db) {}

  /** The Message Source's last rows with their mail's ledger state, newest first. */
  async forSource(tenantId: string, sourceId: string, limit = 50): Promise<ActivityRow[]> {
    return this.db.activity.findMany({ where: { tenantId, sourceId }, orderBy: [{ at: 'desc' }, { id: 'asc' }], take: Math.max(1, Math.min(limit, 500)), select: ROW });
  }

  /** The newest row about one mail (its ledger row). */
  async latestFor(tenantId: string, ledgerEntryId: string): Promise<ActivityRow | null> {
    return this.db.activity.findFirst({ where: { tenantId, ledgerEntryId }, orderBy: { at: 'desc' }, select: ROW });
  }
}
