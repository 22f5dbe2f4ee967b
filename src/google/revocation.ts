// Giving Google's authorizations back when nothing needs them any more: when the last connection
// using an account is deleted, and when the app is uninstalled. Google revokes per account and OAuth
// client, across tenants, so an account still authorized by another tenant is left alone.
import type { Credentials } from '../store/credentials.js';
import type { Logger } from '../log.js';
import type { GoogleOAuth } from './oauth.js';
import type { AccessTokens } from './tokens.js';

export class Revocation {
  constructor(
    private readonly google: GoogleOAuth,
    private readonly credentials: Credentials,
    private readonly tokens: AccessTokens,
    private readonly log: Logger,
  ) {}

  /**
   * Revokes a token unless the account is still authorized by another tenant (or, with tenantId null,
   * by any tenant); failures are logged, not thrown.
   */
  async revokeToken(tenantId: string | null, email: string, token: string): Promise<void> {
    if (await this.credentials.authorizedElsewhere(tenantId, email)) return;
    await this.google.revoke(token).catch((err: unknown) => this.log.warn({ err: String(err), tenantId }, 'could not revoke a Google token; it stays valid at Google'));
  }

  /** Removes the credential once no Message Source or Outbound of the tenant uses it. */
  async releaseIfUnused(tenantId: string, credentialId: string | null): Promise<void> {
    if (!credentialId || (await this.credentials.usage(tenantId, credentialId)) > 0) return;
    const credential = await this.credentials.get(tenantId, credentialId);
    const token = await this.credentials.refreshToken(tenantId, credentialId);
    await this.credentials.remove(tenantId, credentialId);
    this.tokens.forget(tenantId, credentialId);
    if (credential && token) await this.revokeToken(tenantId, credential.email, token);
  }

  /** Gives back authorizations that were never used by a connection within a day (abandoned forms). */
  async releaseAbandoned(now = new Date()): Promise<number> {
    const abandoned = await this.credentials.unused(new Date(now.getTime() - 86_400_000));
    for (const c of abandoned) await this.releaseIfUnused(c.tenantId, c.id);
    return abandoned.length;
  }

  /** At uninstall, before the tokens are deleted. */
  async revokeTenant(tenantId: string): Promise<void> {
    const all = await this.credentials.allWithTokens(tenantId);
    await Promise.all(all.map(async (c) => {
      this.tokens.forget(tenantId, c.id);
      await this.revokeToken(tenantId, c.email, c.refreshToken);
    }));
  }
}
