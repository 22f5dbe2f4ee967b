// What each Message Source did with each mail, newest first, for the admin UI: created an issue, added
// a comment, ignored it (and why), failed, or set it aside.
import type { Db } from './db.js';
import type { Activity } from '../generated/prisma/client.js';

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
}

export type ActivityView = Pick<Activity, 'id' | 'at' | 'outcome' | 'reason' | 'issueKey' | 'messageId' | 'subject' | 'sender' | 'details'>;

export class ActivityLog {
  constructor(private readonly db: Db) {}

  async record(tenantId: string, e: ActivityEntry): Promise<void> {
    await this.db.activity.create({
      data: {
        tenantId,
        sourceId: e.sourceId,
        outcome: e.outcome,
        reason: e.reason?.slice(0, 2000) ?? null,
        issueKey: e.issueKey ?? null,
        messageId: e.messageId ?? null,
        subject: e.subject?.slice(0, 500) ?? null,
        sender: e.sender ?? null,
        details: e.details ? (JSON.parse(JSON.stringify(e.details)) as object) : undefined,
      },
    });
  }

  async recent(tenantId: string, sourceId: string, limit = 50): Promise<ActivityView[]> {
    return this.db.activity.findMany({
      where: { tenantId, sourceId },
      orderBy: { at: 'desc' },
      take: Math.min(limit, 500),
      select: { id: true, at: true, outcome: true, reason: true, issueKey: true, messageId: true, subject: true, sender: true, details: true },
    });
  }
}
