// The web app: Express with the Connect add-on, the admin API, the admin pages and the Google pages,
// built from already-constructed parts (see main.ts, the composition root).
import express, { type Express } from 'express';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Db } from './store/db.js';
import type { Keyring } from './store/crypto.js';
import { Tenants, type TenantView } from './store/tenants.js';
import { messageOutbounds, messageSources } from './store/connections.js';
import { Credentials } from './store/credentials.js';
import { OAuthAttempts } from './store/oauth-attempts.js';
import { AceStoreAdapter } from './connect/store-adapter.js';
import { createAddon, type Addon } from './connect/ace.js';
import { authErrorHandler, connectAuth, requireParseableJwt } from './connect/auth.js';
import { lifecycleRoutes } from './connect/lifecycle.js';
import { apiRouter } from './api/routes.js';
import { adminPageRoutes } from './web/admin-pages.js';
import { CALLBACK_PATH, TRUST_PAGE_PATH, oauthPageRoutes } from './web/oauth-pages.js';
import { errorHandler, notFound, requestLog } from './web/http.js';
import { GoogleOAuth } from './google/oauth.js';
import { StateSigner } from './google/state.js';
import { AccessTokens } from './google/tokens.js';
import { Revocation } from './google/revocation.js';
import { AuthorizeFlow } from './google/authorize.js';
import { ConnectionService } from './connections/service.js';
import { ConnectJiraClient, type JiraClient } from './jira/client.js';
import type { Descriptor } from './connect/descriptor.js';

export interface AppParts {
  config: Config;
  log: Logger;
  db: Db;
  keyring: Keyring;
}

export interface WebApp {
  app: Express;
  addon: Addon;
  descriptor: Descriptor;
  tenants: Tenants;
  tokens: AccessTokens;
  /** Removes what has outlived its use: uninstalled tenants past retention, old attempts, abandoned authorizations. */
  purge: () => Promise<{ tenants: number; attempts: number; credentials: number }>;
}

export async function buildApp({ config, log, db, keyring }: AppParts): Promise<WebApp> {
  const app = express();
  app.set('env', config.env);
  app.disable('x-powered-by');
  app.use(requestLog(log));
  app.use(express.json({ limit: '1mb' }));
  // Jira posts some pages and lifecycle events as forms.
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  const tenants = new Tenants(db, keyring);
  const sources = messageSources(db, keyring);
  const outbounds = messageOutbounds(db, keyring);
  const credentials = new Credentials(db, keyring);
  const trustPageUrl = `${config.baseUrl}${TRUST_PAGE_PATH}`;
  const google = new GoogleOAuth(config.google, `${config.baseUrl}${CALLBACK_PATH}`);
  const tokens = new AccessTokens(google, credentials);
  const revocation = new Revocation(google, credentials, tokens, log);
  const connections = new ConnectionService({ sources, outbounds, credentials, tokens, revocation, gmail: config.gmail, trustPageUrl });
  const attempts = new OAuthAttempts(db);
  const authorize = new AuthorizeFlow({
    google,
    signer: new StateSigner(keyring.derive('oauth-state')),
    attempts,
    credentials,
    tokens,
    revocation,
    sources,
    outbounds,
    trustPageUrl,
    retest: (kind, tenantId, id) => (kind === 'source' ? connections.testSource(tenantId, id) : connections.testOutbound(tenantId, id)),
    log,
  });

  // Before ACE registers its /installed route, so this check runs first.
  app.use(['/installed', '/uninstalled'], requireParseableJwt);
  const { addon, descriptor } = await createAddon(app, config, new AceStoreAdapter(tenants), log);
  const auth = connectAuth(addon, tenants, config.baseUrl);
  const jiraFor = async (tenant: TenantView): Promise<JiraClient> => {
    const installation = await tenants.getInstallation(tenant.clientKey);
    if (!installation) throw new Error(`tenant ${tenant.id} is not installed`);
    return new ConnectJiraClient({ baseUrl: installation.baseUrl, appKey: descriptor.key, sharedSecret: installation.sharedSecret });
  };

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
    apiRouter({ contextAuth: auth.contextAuth, sources, outbounds, connections, authorize, jiraFor, google: { configured: google.configured, clientId: google.clientId }, trustPageUrl }),
  );

  app.use(notFound);
  app.use(authErrorHandler(log));
  app.use(errorHandler(log));
  const purge = async () => ({
    tenants: await tenants.purgeUninstalled(),
    attempts: await attempts.purgeExpired(),
    credentials: await revocation.releaseAbandoned(),
  });
  return { app, addon, descriptor, tenants, tokens, purge };
}
