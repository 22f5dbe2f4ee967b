// ACE's store, backed by our Tenants repository (registered with ace.store.register, instead of
// ACE's default sequelize). ACE keeps the installation under the key "clientInfo"; that maps to the
// Tenant row, with the shared secret sealed. Other keys (ACE's OAuth2 token cache) go to TenantSetting.
import type { Installation, Tenants } from '../store/tenants.js';

const CLIENT_INFO = 'clientInfo';

/** What ACE may log or hand around: the installation without its secret. */
function withoutSecret(inst: Installation): Omit<Installation, 'sharedSecret'> {
  const { sharedSecret: _secret, ...rest } = inst;
  return rest;
}

export class AceStoreAdapter {
  constructor(private readonly tenants: Tenants) {}

  isMemoryStore(): boolean {
    return false;
  }

  async get(key: string, clientKey: string): Promise<unknown> {
    if (key === CLIENT_INFO) return this.tenants.getInstallation(clientKey);
    const tenant = await this.tenants.findByClientKey(clientKey);
    return tenant ? this.tenants.getSetting(tenant.id, key) : null;
  }

  async set(key: string, value: unknown, clientKey: string): Promise<unknown> {
    if (key === CLIENT_INFO) return this.saveInstallation(value as Installation, clientKey);
    const tenant = await this.tenants.findByClientKey(clientKey);
    if (!tenant) throw new Error(`No tenant is installed with clientKey ${clientKey}.`);
    await this.tenants.setSetting(tenant.id, key, value);
    return value;
  }

  async del(key: string, clientKey: string): Promise<void> {
    const tenant = await this.tenants.findByClientKey(clientKey);
    if (!tenant) return;
    if (key === CLIENT_INFO) throw new Error('Installations are removed by the /uninstalled lifecycle event, not by the store.');
    await this.tenants.deleteSetting(tenant.id, key);
  }

  /** ACE returns this to its install handler, which logs it outside production: so no secret in it. */
  async saveInstallation(value: Installation, clientKey: string): Promise<unknown> {
    if (value.clientKey !== clientKey) throw new Error('The installation payload names another clientKey.');
    await this.tenants.saveInstallation(value);
    return withoutSecret(value);
  }

  async getAllClientInfos(): Promise<unknown[]> {
    return this.tenants.listInstalled();
  }

  async getClientSettingsForForgeInstallation(installationId: string): Promise<{ clientKey: string; installationId: string } | null> {
    const tenant = await this.tenants.findByForgeInstallation(installationId);
    return tenant ? { clientKey: tenant.clientKey, installationId } : null;
  }

  async associateInstallations(): Promise<void> {
    // The association is the Tenant row's forgeInstallationId, written by saveInstallation.
  }

  async deleteAssociation(): Promise<void> {}
}
