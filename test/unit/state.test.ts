import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StateSigner } from '../../src/google/state.js';

const claims = { attemptId: 'a1', tenantId: 't1', accountId: 'u1', expiresAt: Math.floor(Date.now() / 1000) + 600 };

describe('the OAuth state', () => {
  it('round-trips what it binds: attempt, tenant, Jira user, expiry', () => {
    const signer = new StateSigner(randomBytes(32));
    expect(signer.verify(signer.sign(claims))).toEqual(claims);
  });

  it('refuses a forged or altered state', () => {
    const signer = new StateSigner(randomBytes(32));
    const state = signer.sign(claims);
    const [body, mac] = state.split('.');
    const otherTenant = Buffer.from(JSON.stringify({ v: 1, a: 'a1', t: 't2', u: 'u1', x: claims.expiresAt })).toString('base64url');
    expect(signer.verify(`${otherTenant}.${mac}`)).toBe('STATE_INVALID');
    expect(signer.verify(`${body}.${mac!.slice(1)}`)).toBe('STATE_INVALID');
    expect(new StateSigner(randomBytes(32)).verify(state)).toBe('STATE_INVALID');
    expect(signer.verify('garbage')).toBe('STATE_INVALID');
    expect(signer.verify(`${state}.extra`)).toBe('STATE_INVALID');
  });

  it('expires', () => {
    const signer = new StateSigner(randomBytes(32));
    const state = signer.sign({ ...claims, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    expect(signer.verify(state)).toBe('STATE_EXPIRED');
  });
});
