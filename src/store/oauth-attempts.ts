// Clicks on Authorize (OAuthAttempt): created when the admin UI asks for a consent URL, claimed once by
// the callback, and read back by the admin UI of the same tenant and Jira user.
import type { Db } from './db.js';
import type { AttemptStatus, OAuthAttempt } from '../generated/prisma/client.js';

export const ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;

export type TargetKind = 'source' | 'outbound';

export type AttemptView = Pick<OAuthAttempt, 'id' | 'targetKind' | 'targetId' | 'loginHint' | 'status' | 'email' | 'credentialId' | 'errorCode' | 'expiresAt'>;

const VIEW = { id: true, targetKind: true, targetId: true, loginHint: true, status: true, email: true, credentialId: true, errorCode: true, expiresAt: true } as const;

export class OAuthAttempts {
  constructor(private readonly db: Db) {}

  async create(tenantId: string, accountId: string, target: { kind: TargetKind; id?: string | undefined }, loginHint?: string): Promise<AttemptView> {
    return this.db.oAuthAttempt.create({
      data: { tenantId, accountId, targetKind: target.kind, targetId: target.id ?? null, loginHint: loginHint ?? null, expiresAt: new Date(Date.now() + ATTEMPT_LIFETIME_MS) },
      select: VIEW,
    });
  }

  /** The attempt as its own tenant and user see it; null for anyone else. */
  async get(tenantId: string, accountId: string, id: string): Promise<AttemptView | null> {
    return this.db.oAuthAttempt.findFirst({ where: { id, tenantId, accountId }, select: VIEW });
  }

  /**
   * Claims a pending, unexpired attempt for the callback. Exactly one caller ever gets it: a replayed
   * state finds it claimed. Returns null when it is not claimable.
   */
  async claim(tenantId: string, accountId: string, id: string): Promise<AttemptView | null> {
    const { count } = await this.db.oAuthAttempt.updateMany({
      where: { id, tenantId, accountId, completedAt: null, status: 'PENDING', expiresAt: { gt: new Date() } },
      data: { completedAt: new Date() },
    });
    return count === 1 ? this.get(tenantId, accountId, id) : null;
  }

  async finish(id: string, outcome: { status: Exclude<AttemptStatus, 'PENDING'>; email?: string; credentialId?: string; errorCode?: string }): Promise<void> {
    await this.db.oAuthAttempt.update({ where: { id }, data: { status: outcome.status, email: outcome.email ?? null, credentialId: outcome.credentialId ?? null, errorCode: outcome.errorCode ?? null } });
  }

  /** Attempts long past their expiry are of no use to anyone. */
  async purgeExpired(before = new Date(Date.now() - 24 * 3600 * 1000)): Promise<number> {
    return (await this.db.oAuthAttempt.deleteMany({ where: { expiresAt: { lt: before } } })).count;
  }
}
