// The Authorize button, end to end: a consent URL with a signed, single-use state bound to the tenant,
// the Jira user and the connection being edited; the callback that checks the state, exchanges the
// code, verifies the id_token and refuses what cannot serve a Workspace mailbox; and the outcome the
// admin UI reads back (by polling here, or from the callback page's postMessage).
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../log.js';
import type { Credentials } from '../store/credentials.js';
import type { AttemptView, OAuthAttempts, TargetKind } from '../store/oauth-attempts.js';
import type { MessageOutbounds, MessageSources } from '../store/connections.js';
import { codeForGoogleError, explain, type Explanation, type ProblemCode } from './explain.js';
import { GMAIL_SCOPE, GoogleError, type GoogleOAuth } from './oauth.js';
import type { Revocation } from './revocation.js';
import type { StateSigner } from './state.js';
import type { AccessTokens } from './tokens.js';

export interface AuthorizationOutcome {
  /** Absent when the state itself was not ours. */
  id?: string;
  status: 'PENDING' | 'AUTHORIZED' | 'FAILED' | 'EXPIRED';
  email?: string;
  credentialId?: string;
  error?: Explanation;
}

export interface AuthorizeDeps {
  google: GoogleOAuth;
  signer: StateSigner;
  attempts: OAuthAttempts;
  credentials: Credentials;
  tokens: AccessTokens;
  revocation: Revocation;
  sources: MessageSources;
  outbounds: MessageOutbounds;
  trustPageUrl: string;
  /** Tests a connection and records the outcome on it (ConnectionService). */
  retest: (kind: TargetKind, tenantId: string, id: string) => Promise<unknown>;
  log: Logger;
}

class Refusal extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly email?: string,
    readonly detail?: string,
  ) {
    super(code);
  }
}

export class AuthorizeFlow {
  constructor(private readonly d: AuthorizeDeps) {}

  private explain(code: ProblemCode, extra: { expectedEmail?: string | null; actualEmail?: string; detail?: string } = {}): Explanation {
    return explain(code, { trustPageUrl: this.d.trustPageUrl, expectedEmail: extra.expectedEmail ?? undefined, actualEmail: extra.actualEmail, detail: extra.detail });
  }

  private repo(kind: TargetKind) {
    return kind === 'source' ? this.d.sources : this.d.outbounds;
  }

  async start(tenantId: string, accountId: string | undefined, target: { kind: TargetKind; id?: string | undefined }, loginHint?: string | null) {
    if (!this.d.google.configured) {
      const explanation = this.explain('GOOGLE_NOT_CONFIGURED');
      throw new AppError('GOOGLE_NOT_CONFIGURED', explanation.message, 503, { explanation });
    }
    if (!accountId) throw new AppError('NO_USER', 'Authorize needs a signed-in Jira user. Reload the page in Jira.', 400);
    const existing = target.id ? await this.repo(target.kind).get(tenantId, target.id) : undefined;
    const hint = loginHint === null ? undefined : (loginHint ?? existing?.username ?? undefined);
    const attempt = await this.d.attempts.create(tenantId, accountId, target, hint);
    const state = this.d.signer.sign({ attemptId: attempt.id, tenantId, accountId, expiresAt: Math.floor(attempt.expiresAt.getTime() / 1000) });
    return { id: attempt.id, url: this.d.google.consentUrl(state, hint), expiresAt: attempt.expiresAt };
  }

  async status(tenantId: string, accountId: string | undefined, id: string): Promise<AuthorizationOutcome> {
    const attempt = accountId ? await this.d.attempts.get(tenantId, accountId, id) : null;
    if (!attempt) throw notFound('The authorization');
    return this.outcome(attempt);
  }

  private outcome(a: AttemptView): AuthorizationOutcome {
    if (a.status === 'AUTHORIZED') return { id: a.id, status: 'AUTHORIZED', email: a.email ?? undefined, credentialId: a.credentialId ?? undefined };
    if (a.status === 'FAILED') {
      const code = (a.errorCode ?? 'GOOGLE_ERROR') as ProblemCode;
      return { id: a.id, status: 'FAILED', ...(a.email ? { email: a.email } : {}), error: this.explain(code, { expectedEmail: a.loginHint, actualEmail: a.email ?? undefined }) };
    }
    if (a.expiresAt.getTime() <= Date.now()) return { id: a.id, status: 'EXPIRED', error: this.explain('STATE_EXPIRED') };
    return { id: a.id, status: 'PENDING' };
  }

  /** Google's redirect back to us: `code` or `error`, and the `state` we sent. */
  async complete(query: { state?: unknown; code?: unknown; error?: unknown }): Promise<AuthorizationOutcome> {
    const claims = typeof query.state === 'string' ? this.d.signer.verify(query.state) : 'STATE_INVALID';
    if (typeof claims === 'string') return { status: 'FAILED', error: this.explain(claims) };
    const found = await this.d.attempts.get(claims.tenantId, claims.accountId, claims.attemptId);
    if (!found) return { status: 'FAILED', error: this.explain('STATE_INVALID') };
    if (found.expiresAt.getTime() <= Date.now()) return { status: 'FAILED', error: this.explain('STATE_EXPIRED') };
    const attempt = await this.d.attempts.claim(claims.tenantId, claims.accountId, claims.attemptId);
    // Someone was here first: the state was used already. Nothing of theirs is touched.
    if (!attempt) return { status: 'FAILED', error: this.explain('STATE_REPLAYED') };

    try {
      if (typeof query.error === 'string') throw new Refusal(codeForGoogleError(query.error), undefined, query.error);
      if (typeof query.code !== 'string' || !query.code) throw new Refusal('GOOGLE_ERROR', undefined, 'no code in the answer');
      const credentialId = await this.accept(claims.tenantId, claims.accountId, attempt, query.code);
      const email = (await this.d.credentials.get(claims.tenantId, credentialId))!.email;
      await this.d.attempts.finish(attempt.id, { status: 'AUTHORIZED', email, credentialId });
      this.d.log.info({ tenantId: claims.tenantId, attemptId: attempt.id, target: attempt.targetKind }, 'Google account authorized');
      return { id: attempt.id, status: 'AUTHORIZED', email, credentialId };
    } catch (err) {
      const refusal =
        err instanceof Refusal
          ? err
          : err instanceof GoogleError
            ? new Refusal(err.reason === 'unavailable' ? 'GOOGLE_UNAVAILABLE' : 'GOOGLE_ERROR', undefined, err.message)
            : undefined;
      if (!refusal) throw err;
      await this.d.attempts.finish(attempt.id, { status: 'FAILED', errorCode: refusal.code, ...(refusal.email ? { email: refusal.email } : {}) });
      this.d.log.info({ tenantId: claims.tenantId, attemptId: attempt.id, code: refusal.code }, 'Google authorization refused');
      return { id: attempt.id, status: 'FAILED', ...(refusal.email ? { email: refusal.email } : {}), error: this.explain(refusal.code, { expectedEmail: attempt.loginHint, actualEmail: refusal.email, detail: refusal.detail }) };
    }
  }

  /** Checks what Google granted and stores it; returns the credential id. */
  private async accept(tenantId: string, accountId: string, attempt: AttemptView, code: string): Promise<string> {
    const grant = await this.d.google.exchange(code);
    // A grant we cannot use is given back at once, so it does not linger in the user's Google account;
    // not when any tenant (this one included) still holds the account, as revoking ends the whole grant.
    const refuse = async (problem: ProblemCode) => {
      const token = grant.refreshToken ?? grant.accessToken;
      if (token) await this.d.revocation.revokeToken(null, grant.email, token);
      return new Refusal(problem, grant.email);
    };
    if (!grant.hostedDomain) throw await refuse('PERSONAL_ACCOUNT');
    if (!grant.emailVerified) throw await refuse('EMAIL_NOT_VERIFIED');
    if (!grant.scopes.includes(GMAIL_SCOPE)) throw await refuse('SCOPE_NOT_GRANTED');
    if (attempt.loginHint && attempt.loginHint.toLowerCase() !== grant.email) throw new Refusal('WRONG_ACCOUNT', grant.email);
    if (!grant.refreshToken) throw new Refusal('NO_REFRESH_TOKEN', grant.email);

    const credential = await this.d.credentials.saveAuthorization(tenantId, { email: grant.email, hostedDomain: grant.hostedDomain, scopes: grant.scopes, refreshToken: grant.refreshToken, accountId });
    if (grant.accessToken && grant.accessTokenExpiresAt) this.d.tokens.remember(tenantId, credential.id, grant.accessToken, grant.accessTokenExpiresAt);
    if (attempt.targetId) {
      // Re-authorize in place: the connection keeps everything but its account.
      const kind = attempt.targetKind as TargetKind;
      const previous = await this.repo(kind).stored(tenantId, attempt.targetId).catch(() => undefined);
      if (previous) {
        await this.repo(kind).update(tenantId, attempt.targetId, { credentialId: credential.id, username: grant.email });
        if (previous.credentialId && previous.credentialId !== credential.id) await this.d.revocation.releaseIfUnused(tenantId, previous.credentialId);
        // The lozenge should say whether the mailbox works now, not just that Google said yes; the test
        // runs after the answer so the user is not kept waiting on a slow mail server.
        const targetId = attempt.targetId;
        setImmediate(() => {
          this.d.retest(kind, tenantId, targetId).catch((err: unknown) => this.d.log.warn({ err: String(err), tenantId }, 'test after re-authorize failed'));
        });
      }
    }
    return credential.id;
  }
}
