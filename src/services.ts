// The application's services, built once from the settings and the store, shared by the web app
// (app.ts) and the mailbox worker (workers/): repositories, Google, the Authorize flow, connection
// tests, the Jira client per tenant and the ingestion.
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Db } from './store/db.js';
import type { Keyring } from './store/crypto.js';
import { Tenants, type TenantView } from './store/tenants.js';
import { messageOutbounds, messageSources } from './store/connections.js';
import { Credentials } from './store/credentials.js';
import { OAuthAttempts } from './store/oauth-attempts.js';
import { Ledger } from './store/ledger.js';
import { ActivityLog } from './store/activity.js';
import { GoogleOAuth } from './google/oauth.js';
import { StateSigner } from './google/state.js';
import { AccessTokens } from './google/tokens.js';
import { Revocation } from './google/revocation.js';
import { AuthorizeFlow } from './google/authorize.js';
import { ConnectionService } from './connections/service.js';
import { BACKGROUND, ConnectJiraClient, INTERACTIVE, type JiraClient, type RetryPolicy } from './jira/client.js';
import { Ingestion } from './ingest/pipeline.js';
import { SenderRateLimiter } from './ingest/rate-limit.js';
import { loadDescriptor } from './connect/descriptor.js';
import { CALLBACK_PATH, TRUST_PAGE_PATH } from './web/oauth-pages.js';

export interface ServiceParts {
  config: Config;
  log: Logger;
  db: Db;
  keyring: Keyring;
}

export type Services = ReturnType<typeof createServices>;

export function createServices({ config, log, db, keyring }: ServiceParts) {
  const appKey = loadDescriptor(config.baseUrl).key;
  const tenants = new Tenants(db, keyring);
  const sources = messageSources(db, keyring);
  const outbounds = messageOutbounds(db, keyring);
  const credentials = new Credentials(db, keyring);
  const attempts = new OAuthAttempts(db);
  const trustPageUrl = `${config.baseUrl}${TRUST_PAGE_PATH}`;
  const google = new GoogleOAuth(config.google, `${config.baseUrl}${CALLBACK_PATH}`);
  const tokens = new AccessTokens(google, credentials);
  const revocation = new Revocation(google, credentials, tokens, log);
  const connections = new ConnectionService({ sources, outbounds, credentials, tokens, revocation, gmail: config.gmail, trustPageUrl });
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
  /** The tenant's Jira: quick to give up for the admin UI, patient for the background ingestion. */
  const jiraFor = async (tenant: TenantView, retry: RetryPolicy = INTERACTIVE): Promise<JiraClient> => {
    const installation = await tenants.getInstallation(tenant.clientKey);
    if (!installation) throw new Error(`tenant ${tenant.id} is not installed`);
    return new ConnectJiraClient({ baseUrl: installation.baseUrl, appKey, sharedSecret: installation.sharedSecret }, retry);
  };
  const ingestion = new Ingestion({
    ledger: new Ledger(db),
    activity: new ActivityLog(db),
    senders: new SenderRateLimiter(),
    log: log.child({ component: 'ingestion' }),
    maxAttempts: 5,
    reconcileAfterMs: config.ingestion.reconcileAfterMs,
  });
  const purge = async () => ({
    tenants: await tenants.purgeUninstalled(),
    attempts: await attempts.purgeExpired(),
    credentials: await revocation.releaseAbandoned(),
  });
  return { tenants, sources, outbounds, credentials, google, tokens, revocation, connections, authorize, jiraFor, ingestion, trustPageUrl, purge, background: BACKGROUND };
}
