// The uninstall lifecycle event (ACE itself answers /installed, through our store adapter).
import type { Express } from 'express';
import type { Tenants } from '../store/tenants.js';
import type { Logger } from '../log.js';
import type { connectAuth } from './auth.js';

export function lifecycleRoutes(
  app: Express,
  deps: {
    auth: ReturnType<typeof connectAuth>;
    tenants: Tenants;
    retentionDays: number;
    /** Gives the tenant's Google authorizations back before their tokens are deleted. */
    revokeTenant: (tenantId: string) => Promise<void>;
    log: Logger;
  },
) {
  app.post('/uninstalled', deps.auth.installAuth, (req, res, next) => {
    const { clientKey } = req.body as { clientKey: string };
    void (async () => {
      const known = await deps.tenants.findByClientKey(clientKey);
      if (known) await deps.revokeTenant(known.id);
      const tenant = await deps.tenants.markUninstalled(clientKey, deps.retentionDays);
      deps.log.info({ tenantId: tenant?.id, clientKey, removeAfter: tenant?.removeAfter }, 'app uninstalled: secrets deleted, data marked for removal');
      res.status(204).end();
    })().catch(next);
  });
}
