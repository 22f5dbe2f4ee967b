// Access tokens for Gmail's IMAP and SMTP, one per credential, shared by every connection using it
// and refreshed a few minutes before they expire (one refresh at a time per credential). When Google
// answers invalid_grant the credential and its connections become "Needs re-authorization".
import type { Credentials } from '../store/credentials.js';
import { GoogleError, type GoogleOAuth } from './oauth.js';

const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const SEVEN_DAYS_MS = 7 * 86_400_000;

export class CredentialRevokedError extends Error {
  readonly code: 'INVALID_GRANT' | 'TESTING_APP_EXPIRED';
  constructor(code: 'INVALID_GRANT' | 'TESTING_APP_EXPIRED') {
    super(code === 'TESTING_APP_EXPIRED' ? 'Google ended the authorization after 7 days (OAuth client in Testing status).' : 'Google no longer accepts the authorization (invalid_grant).');
    this.code = code;
  }
}

interface Cached {
  token: string;
  expiresAt: number;
}

export class AccessTokens {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly google: GoogleOAuth,
    private readonly credentials: Credentials,
    private readonly now: () => number = Date.now,
  ) {}

  /** An access token for the credential, from cache while it has more than five minutes left. */
  async get(tenantId: string, credentialId: string): Promise<string> {
    const key = `${tenantId}:${credentialId}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - this.now() > REFRESH_MARGIN_MS) return hit.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refresh(tenantId, credentialId, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Seeds the cache with the access token that came with an authorization. */
  remember(tenantId: string, credentialId: string, token: string, expiresAt: Date): void {
    this.cache.set(`${tenantId}:${credentialId}`, { token, expiresAt: expiresAt.getTime() });
  }

  forget(tenantId: string, credentialId: string): void {
    this.cache.delete(`${tenantId}:${credentialId}`);
  }

  private async refresh(tenantId: string, credentialId: string, key: string): Promise<string> {
    const refreshToken = await this.credentials.refreshToken(tenantId, credentialId);
    if (!refreshToken) throw new CredentialRevokedError('INVALID_GRANT');
    try {
      const { accessToken, expiresAt } = await this.google.refresh(refreshToken);
      this.cache.set(key, { token: accessToken, expiresAt: expiresAt.getTime() });
      return accessToken;
    } catch (err) {
      if (err instanceof GoogleError && err.reason === 'invalid_grant') {
        this.cache.delete(key);
        const credential = await this.credentials.get(tenantId, credentialId);
        const age = credential ? this.now() - credential.authorizedAt.getTime() : 0;
        // Refresh tokens of OAuth clients in "Testing" status die after exactly seven days.
        const code = Math.abs(age - SEVEN_DAYS_MS) < 6 * 3600 * 1000 ? 'TESTING_APP_EXPIRED' : 'INVALID_GRANT';
        await this.credentials.markNeedsReauthorization(tenantId, credentialId, code);
        throw new CredentialRevokedError(code);
      }
      throw err;
    }
  }
}
