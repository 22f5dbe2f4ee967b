// The web app: Express with the Connect add-on, the admin API, the admin pages and the Google pages,
// built from already-constructed parts (see main.ts, the composition root).
import express, { type Express } from 'express';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Db } from './store/db.js';
import type { Keyring } from './store/crypto.js';
import { AceStoreAdapter } from './connect/store-adapter.js';
import { createAddon, type Addon } from './connect/ace.js';
import { authErrorHandler, connectAuth, requireParseableJwt } from './connect/auth.js';
import { lifecycleRoutes } from './connect/lifecycle.js';
import { apiRouter } from './api/routes.js';
import { adminPageRoutes } from './web/admin-pages.js';
import { oauthPageRoutes } from './web/oauth-pages.js';
import { errorHandler, notFound, requestLog } from './web/http.js';
import type { AccessTokens } from './google/tokens.js';
import type { Tenants } from './store/tenants.js';
import { createServices, type Services } from './services.js';
import type { Descriptor } from './connect/descriptor.js';

export interface AppParts {
  config: Config;
  log: Logger;
  db: Db;
  keyring: Keyring;
  /** Shared with the mailbox worker when both run in one process (one access-token cache). */
  services?: Services;
}

export interface WebApp {
  app: Express;
  addon: Addon;
  descriptor: Descriptor;
  tenants: Tenants;
  tokens: AccessTokens;
  services: Services;
  /** Removes what has outlived its use: uninstalled tenants past retention, old attempts, abandoned authorizations. */
  purge: () => Promise<{ tenants: number; attempts: number; credentials: number }>;
}

export async function buildApp({ config, log, db, keyring, services: given }: AppParts): Promise<WebApp> {
  const app = express();
  app.set('env', config.env);
  app.disable('x-powered-by');
  app.use(requestLog(log));
  app.use(express.json({ limit: '1mb' }));
  // Jira posts some pages and lifecycle events as forms.
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  const services = given ?? createServices({ config, log, db, keyring });
  const { tenants, sources, outbounds, connections, authorize, google, revocation, trustPageUrl, jiraFor } = services;

  // Before ACE registers its /installed route, so this check runs first.
  app.use(['/installed', '/uninstalled'], requireParseableJwt);
  const { addon, descriptor } = await createAddon(app, config, new AceStoreAdapter(tenants), log);
  const auth = connectAuth(addon, tenants, config.baseUrl);
  app.get('/', (_req, res) => res.redirect('/atlassian-connect.json'));
  app.get('/healthz', (_req, res) => {
    db.$queryRaw`SELECT 1`
      .then(() => res.json({ status: 'ok' }))
      .catch((err: unknown) => {
        log.warn({ err }, 'health check: database unreachable');
        res.status(503).json({ status: 'unavailable', error: { code: 'DATABASE_UNREACHABLE', message: 'The database cannot be reached.' } });
      });
  });
  lifecycleRoutes(app, { auth, tenants, retentionDays: config.uninstallRetentionDays, revokeTenant: (id) => revocation.revokeTenant(id), log });
  adminPageRoutes(app, auth.pageAuth);
  oauthPageRoutes(app, { authorize, baseUrl: config.baseUrl, clientId: google.clientId });
  app.use(
    '/api',
    apiRouter({ contextAuth: auth.contextAuth, sources, outbounds, connections, authorize, jiraFor, google: { configured: google.configured, clientId: google.clientId }, trustPageUrl, activity: services.activity }),
  );

  app.use(notFound);
  app.use(authErrorHandler(log));
  app.use(errorHandler(log));
  return { app, addon, descriptor, tenants, tokens: services.tokens, purge: services.purge, services };
}
