// The OAuth `state` parameter: names the attempt (store/oauth-attempts.ts) and the tenant and Jira user
// it belongs to, with an expiry, signed with HMAC-SHA256 so it cannot be forged. That it is used only
// once is kept by the attempt row, not here.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StateClaims {
  attemptId: string;
  tenantId: string;
  accountId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type StateProblem = 'STATE_INVALID' | 'STATE_EXPIRED';

export class StateSigner {
  constructor(private readonly key: Buffer) {}

  sign(claims: StateClaims): string {
    const body = Buffer.from(JSON.stringify({ v: 1, a: claims.attemptId, t: claims.tenantId, u: claims.accountId, x: claims.expiresAt })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify(state: string, now = Date.now()): StateClaims | StateProblem {
    const [body, mac, extra] = state.split('.');
    if (!body || !mac || extra !== undefined) return 'STATE_INVALID';
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'STATE_INVALID';
    let p: { v?: unknown; a?: unknown; t?: unknown; u?: unknown; x?: unknown };
    try {
      p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof p;
    } catch {
      return 'STATE_INVALID';
    }
    if (p.v !== 1 || typeof p.a !== 'string' || typeof p.t !== 'string' || typeof p.u !== 'string' || typeof p.x !== 'number') return 'STATE_INVALID';
    if (p.x * 1000 <= now) return 'STATE_EXPIRED';
    return { attemptId: p.a, tenantId: p.t, accountId: p.u, expiresAt: p.x };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
