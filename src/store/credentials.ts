// Google accounts a tenant authorized (OAuthCredential), with the refresh token sealed. A credential
// may serve a Message Source and a Message Outbound of the same mailbox.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { Keyring } from './crypto.js';
import type { CredentialStatus } from '../generated/prisma/client.js';

const refreshTokenContext = (id: string) => `oauthCredential:${id}:refreshToken`;

export interface CredentialView {
  id: string;
  email: string;
  hostedDomain: string | null;
  status: CredentialStatus;
  statusReason: string | null;
  authorizedAt: Date;
}

const VIEW = { id: true, email: true, hostedDomain: true, status: true, statusReason: true, authorizedAt: true } as const;

export class Credentials {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
  ) {}

  /** Stores a fresh authorization of an account, replacing the tenant's earlier one for that address. */
  async saveAuthorization(
    tenantId: string,
    grant: { email: string; hostedDomain: string | undefined; scopes: string[]; refreshToken: string; accountId: string },
  ): Promise<CredentialView> {
    return this.db.$transaction(async (tx) => {
      const key = { tenantId_provider_email: { tenantId, provider: 'google', email: grant.email } };
      const existing = await tx.oAuthCredential.findUnique({ where: key, select: { id: true } });
      const id = existing?.id ?? randomUUID();
      const sealed = this.keyring.seal(grant.refreshToken, refreshTokenContext(id));
      const fields = {
        hostedDomain: grant.hostedDomain ?? null,
        scopes: grant.scopes,
        refreshTokenCipher: sealed.cipher,
        refreshTokenKeyId: sealed.keyId,
        status: 'AUTHORIZED' as const,
        statusReason: null,
        authorizedByAccountId: grant.accountId,
        authorizedAt: new Date(),
      };
      const row = existing
        ? await tx.oAuthCredential.update({ where: { id }, data: fields, select: VIEW })
        : await tx.oAuthCredential.create({ data: { id, tenantId, provider: 'google', email: grant.email, ...fields }, select: VIEW });
      // Connections that had lost this account work again.
      const lost = { where: { tenantId, credentialId: id, status: 'NEEDS_REAUTHORIZATION' as const }, data: { status: 'AUTHORIZED' as const, statusReason: null } };
      await tx.messageSource.updateMany(lost);
      await tx.messageOutbound.updateMany(lost);
      return row;
    });
  }

  async get(tenantId: string, id: string): Promise<CredentialView | null> {
    return this.db.oAuthCredential.findFirst({ where: { id, tenantId }, select: VIEW });
  }

  /** The refresh token, for the token service only; null when gone (revoked, uninstalled). */
  async refreshToken(tenantId: string, id: string): Promise<string | null> {
    const row = await this.db.oAuthCredential.findFirst({ where: { id, tenantId }, select: { refreshTokenCipher: true, refreshTokenKeyId: true } });
    if (!row?.refreshTokenCipher || !row.refreshTokenKeyId) return null;
    return this.keyring.open({ cipher: row.refreshTokenCipher, keyId: row.refreshTokenKeyId }, refreshTokenContext(id));
  }

  /** Google stopped accepting the credential: it and every connection using it need Authorize again. */
  async markNeedsReauthorization(tenantId: string, id: string, reason: string): Promise<void> {
    await this.db.$transaction([
      this.db.oAuthCredential.updateMany({ where: { id, tenantId }, data: { status: 'NEEDS_REAUTHORIZATION', statusReason: reason } }),
      this.db.messageSource.updateMany({ where: { tenantId, credentialId: id }, data: { status: 'NEEDS_REAUTHORIZATION', statusReason: reason, statusDetail: null } }),
      this.db.messageOutbound.updateMany({ where: { tenantId, credentialId: id }, data: { status: 'NEEDS_REAUTHORIZATION', statusReason: reason, statusDetail: null } }),
    ]);
  }

  /** How many Message Sources and Outbounds of the tenant use the credential. */
  async usage(tenantId: string, id: string): Promise<number> {
    const [s, o] = await Promise.all([
      this.db.messageSource.count({ where: { tenantId, credentialId: id } }),
      this.db.messageOutbound.count({ where: { tenantId, credentialId: id } }),
    ]);
    return s + o;
  }

  /**
   * Whether another tenant holds a live authorization of the same account. Google's grant is per
   * account and OAuth client, not per tenant: revoking it here would cut off the other tenant too.
   * Answers only yes or no, never which tenant. With tenantId null, any tenant counts.
   */
  async authorizedElsewhere(tenantId: string | null, email: string): Promise<boolean> {
    const n = await this.db.oAuthCredential.count({
      where: { email, ...(tenantId ? { tenantId: { not: tenantId } } : {}), status: 'AUTHORIZED', refreshTokenCipher: { not: null } },
    });
    return n > 0;
  }

  /** Credentials no connection uses, authorized before `before` (an Authorize whose form was abandoned). */
  async unused(before: Date): Promise<{ tenantId: string; id: string }[]> {
    return this.db.oAuthCredential.findMany({
      where: { authorizedAt: { lt: before }, messageSources: { none: {} }, messageOutbounds: { none: {} } },
      select: { tenantId: true, id: true },
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.db.oAuthCredential.deleteMany({ where: { id, tenantId } });
  }

  /** Every credential of a tenant with its refresh token, for revoking them at uninstall. */
  async allWithTokens(tenantId: string): Promise<{ id: string; email: string; refreshToken: string }[]> {
    const rows = await this.db.oAuthCredential.findMany({ where: { tenantId, refreshTokenCipher: { not: null } }, select: { id: true, email: true } });
    const out: { id: string; email: string; refreshToken: string }[] = [];
    for (const r of rows) {
      const token = await this.refreshToken(tenantId, r.id);
      if (token) out.push({ id: r.id, email: r.email, refreshToken: token });
    }
    return out;
  }
}
