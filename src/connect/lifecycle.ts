// The uninstall lifecycle event (ACE itself answers /installed, through our store adapter).
import type { Express } from 'express';
import type { Tenants } from '../store/tenants.js';
import type { Logger } from '../log.js';
import type { connectAuth } from './auth.js';

export function lifecycleRoutes(
  app: Express,
  deps: { auth: ReturnType<typeof connectAuth>; tenants: Tenants; retentionDays: number; log: Logger },
) {
  app.post('/uninstalled', deps.auth.installAuth, (req, res, next) => {
    const { clientKey } = req.body as { clientKey: string };
    deps.tenants
      .markUninstalled(clientKey, deps.retentionDays)
      .then((tenant) => {
        deps.log.info({ tenantId: tenant?.id, clientKey, removeAfter: tenant?.removeAfter }, 'app uninstalled: secrets deleted, data marked for removal');
        res.status(204).end();
      })
      .catch(next);
  });
}
