import { describe, expect, it } from 'vitest';
import { codeForGoogleError, explain, type ProblemCode } from '../../src/google/explain.js';

const ctx = { trustPageUrl: 'https://mb.example.com/help/google-workspace' };
const ALL: ProblemCode[] = [
  'ADMIN_POLICY_ENFORCED', 'ACCESS_DENIED', 'AUTHORIZATION_NOT_COMPLETED', 'PERSONAL_ACCOUNT', 'WRONG_ACCOUNT', 'SCOPE_NOT_GRANTED',
  'EMAIL_NOT_VERIFIED', 'NO_REFRESH_TOKEN', 'INVALID_GRANT', 'TESTING_APP_EXPIRED', 'STATE_INVALID', 'STATE_EXPIRED', 'STATE_REPLAYED',
  'GOOGLE_NOT_CONFIGURED', 'GOOGLE_UNAVAILABLE', 'GOOGLE_ERROR', 'NOT_AUTHORIZED', 'MAIL_AUTH_FAILED', 'MAIL_AUTH_UNAVAILABLE',
  'MAIL_UNREACHABLE', 'MAIL_FOLDER_MISSING', 'MAIL_ERROR',
];

describe('explanations', () => {
  it('give every problem a sentence and a fix', () => {
    for (const code of ALL) {
      const e = explain(code, ctx);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(/\.$/);
      expect(e.action.length).toBeGreaterThan(10);
    }
  });

  it('send Workspace policy problems to the trust page', () => {
    for (const code of ['ADMIN_POLICY_ENFORCED', 'ACCESS_DENIED', 'AUTHORIZATION_NOT_COMPLETED'] as const) {
      expect(explain(code, ctx).link?.url).toBe(ctx.trustPageUrl);
    }
    expect(explain('ADMIN_POLICY_ENFORCED', ctx).message).toContain('admin_policy_enforced');
    expect(codeForGoogleError('access_denied')).toBe('ACCESS_DENIED');
    expect(codeForGoogleError('admin_policy_enforced')).toBe('ADMIN_POLICY_ENFORCED');
    expect(codeForGoogleError('server_error')).toBe('GOOGLE_ERROR');
  });

  it('say that personal accounts are not supported, and how to pick the right account', () => {
    expect(explain('PERSONAL_ACCOUNT', { ...ctx, actualEmail: 'me@gmail.com' }).message).toMatch(/Personal Google accounts are not supported, only Google Workspace accounts/);
    const wrong = explain('WRONG_ACCOUNT', { ...ctx, expectedEmail: 'help@acme.example', actualEmail: 'me@acme.example' });
    expect(wrong.message).toContain('me@acme.example');
    expect(wrong.action).toMatch(/private \(incognito\) window/);
    expect(wrong.action).toContain('help@acme.example');
  });
});
