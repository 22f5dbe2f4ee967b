// Tenants: one row per installation of the app into a Jira site. The Connect shared secret is sealed
// (crypto.ts) and bound to the tenant's id; an uninstall drops it at once and schedules the rest of the
// tenant's data for removal, which a re-install within the retention period cancels.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { Keyring } from './crypto.js';
import type { Tenant } from '../generated/prisma/client.js';

/** The installation payload Jira posts to /installed (the fields ACE and we rely on). */
export interface Installation {
  key: string;
  clientKey: string;
  sharedSecret: string;
  baseUrl: string;
  displayUrl?: string;
  productType?: string;
  description?: string;
  serverVersion?: string;
  pluginsVersion?: string;
  installationId?: string;
  [field: string]: unknown;
}

export type TenantView = Pick<Tenant, 'id' | 'platform' | 'clientKey' | 'baseUrl' | 'displayUrl' | 'productType' | 'installedAt' | 'uninstalledAt' | 'removeAfter'>;

const sharedSecretContext = (tenantId: string) => `tenant:${tenantId}:sharedSecret`;

const VIEW = {
  id: true,
  platform: true,
  clientKey: true,
  baseUrl: true,
  displayUrl: true,
  productType: true,
  installedAt: true,
  uninstalledAt: true,
  removeAfter: true,
} as const;

export class Tenants {
  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
  ) {}

  /** Creates or updates the tenant of this clientKey; a re-install keeps its id and everything below it. */
  async saveInstallation(inst: Installation): Promise<TenantView> {
    const { sharedSecret, ...rest } = inst;
    const payload = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
    return this.db.$transaction(async (tx) => {
      const existing = await tx.tenant.findUnique({ where: { clientKey: inst.clientKey }, select: { id: true } });
      const id = existing?.id ?? randomUUID();
      const sealed = this.keyring.seal(sharedSecret, sharedSecretContext(id));
      const fields = {
        baseUrl: inst.baseUrl,
        displayUrl: inst.displayUrl ?? null,
        productType: inst.productType ?? 'jira',
        description: inst.description ?? null,
        serverVersion: inst.serverVersion ?? null,
        pluginsVersion: inst.pluginsVersion ?? null,
        forgeInstallationId: inst.installationId ?? null,
        sharedSecretCipher: sealed.cipher,
        sharedSecretKeyId: sealed.keyId,
        installPayload: payload as object,
        uninstalledAt: null,
        removeAfter: null,
      };
      return existing
        ? tx.tenant.update({ where: { id }, data: fields, select: VIEW })
        : tx.tenant.create({ data: { id, clientKey: inst.clientKey, installedAt: new Date(), ...fields }, select: VIEW });
    });
  }

  /** The installation as ACE needs it (with the shared secret), or null when not installed. */
  async getInstallation(clientKey: string): Promise<Installation | null> {
    const t = await this.db.tenant.findUnique({ where: { clientKey } });
    if (!t || !t.sharedSecretCipher || !t.sharedSecretKeyId || t.uninstalledAt) return null;
    const sharedSecret = this.keyring.open({ cipher: t.sharedSecretCipher, keyId: t.sharedSecretKeyId }, sharedSecretContext(t.id));
    return { ...(t.installPayload as Record<string, unknown>), clientKey: t.clientKey, baseUrl: t.baseUrl, sharedSecret } as Installation;
  }

  async findByClientKey(clientKey: string): Promise<TenantView | null> {
    return this.db.tenant.findUnique({ where: { clientKey }, select: VIEW });
  }

  async findById(id: string): Promise<TenantView | null> {
    return this.db.tenant.findUnique({ where: { id }, select: VIEW });
  }

  async findByForgeInstallation(installationId: string): Promise<TenantView | null> {
    return this.db.tenant.findUnique({ where: { forgeInstallationId: installationId }, select: VIEW });
  }

  async listInstalled(): Promise<TenantView[]> {
    return this.db.tenant.findMany({ where: { uninstalledAt: null }, select: VIEW, orderBy: { installedAt: 'asc' } });
  }

  /**
   * Forgets the tenant's secrets now (its shared secret and its Google refresh tokens) and marks the
   * rest for removal after the retention period. Returns null for an unknown clientKey.
   */
  async markUninstalled(clientKey: string, retentionDays: number, now = new Date()): Promise<TenantView | null> {
    return this.db.$transaction(async (tx) => {
      const t = await tx.tenant.findUnique({ where: { clientKey }, select: { id: true } });
      if (!t) return null;
      await tx.oAuthCredential.updateMany({
        where: { tenantId: t.id },
        data: { refreshTokenCipher: null, refreshTokenKeyId: null, status: 'REVOKED', statusReason: 'The app was uninstalled.' },
      });
      await tx.messageSource.updateMany({ where: { tenantId: t.id }, data: { passwordCipher: null, passwordKeyId: null } });
      await tx.messageOutbound.updateMany({ where: { tenantId: t.id }, data: { passwordCipher: null, passwordKeyId: null } });
      await tx.tenantSetting.deleteMany({ where: { tenantId: t.id } });
      return tx.tenant.update({
        where: { id: t.id },
        data: {
          sharedSecretCipher: null,
          sharedSecretKeyId: null,
          uninstalledAt: now,
          removeAfter: new Date(now.getTime() + retentionDays * 86_400_000),
        },
        select: VIEW,
      });
    });
  }

  /** Removes tenants whose retention period has ended, with everything below them. */
  async purgeUninstalled(now = new Date()): Promise<number> {
    const { count } = await this.db.tenant.deleteMany({ where: { removeAfter: { lte: now }, uninstalledAt: { not: null } } });
    return count;
  }

  // ACE's generic per-tenant key/value store (anything but the installation itself).
  async getSetting(tenantId: string, key: string): Promise<unknown> {
    const row = await this.db.tenantSetting.findUnique({ where: { tenantId_key: { tenantId, key } } });
    return row?.value ?? null;
  }

  async setSetting(tenantId: string, key: string, value: unknown): Promise<void> {
    const json = JSON.parse(JSON.stringify(value ?? null)) as object;
    await this.db.tenantSetting.upsert({
      where: { tenantId_key: { tenantId, key } },
      create: { tenantId, key, value: json },
      update: { value: json },
    });
  }

  async deleteSetting(tenantId: string, key: string): Promise<void> {
    await this.db.tenantSetting.deleteMany({ where: { tenantId, key } });
  }
}
