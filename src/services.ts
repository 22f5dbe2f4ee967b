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
import { ActivityLog, type ActivityRow } from './store/activity.js';
import { RawMessages, RAW_MESSAGE_RETENTION_DAYS } from './store/raw-messages.js';
import { contextFor } from './ingest/context.js';
import { AppError, notFound } from './errors.js';
import { GoogleOAuth } from './google/oauth.js';
import { StateSigner } from './google/state.js';
import { AccessTokens } from './google/tokens.js';
import { Revocation } from './google/revocation.js';
import { AuthorizeFlow } from './google/authorize.js';
import { ConnectionService } from './connections/service.js';
import { BACKGROUND, ConnectJiraClient, INTERACTIVE, type JiraClient, type RetryPolicy } from './jira/client.js';
import { Ingestion } from './ingest/pipeline.js';
import { SenderRateLimiter } from './ingest/rate-limit.js';
import { sweepSpools } from './mail/spool.js';
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
  const ledger = new Ledger(db);
  const activityLog = new ActivityLog(db);
  const rawMessages = new RawMessages(db);
  const ingestion = new Ingestion({
    ledger,
    keepRawMessages: true,
    spoolDir: config.ingestion.spoolDir,
    senders: new SenderRateLimiter(),
    log: log.child({ component: 'ingestion' }),
    maxAttempts: 5,
    reconcileAfterMs: config.ingestion.reconcileAfterMs,
  });
  /** What a Message Source did with its mail, its raw messages and Reprocess, for the admin UI. */
  const activity = {
    list: async (tenantId: string, sourceId: string, limit?: number): Promise<ActivityRow[]> => {
      await sources.get(tenantId, sourceId); // 404 for another tenant's source
      return activityLog.forSource(tenantId, sourceId, limit);
    },
    raw: async (tenantId: string, sourceId: string, ledgerEntryId: string) => {
      const entry = await ledger.find(tenantId, sourceId, ledgerEntryId);
      const content = entry ? await rawMessages.get(tenantId, sourceId, ledgerEntryId) : null;
      if (!entry || !content) throw notFound('The raw message');
      return { content, messageId: entry.messageKey.startsWith('sha256:') ? null : entry.messageKey };
    },
    /** Sets the mail's ledger row back and runs it through the ingestion now, in this process. */
    reprocess: async (tenantId: string, sourceId: string, ledgerEntryId: string) => {
      const entry = await ledger.find(tenantId, sourceId, ledgerEntryId);
      if (!entry) throw notFound('The message');
      const raw = await rawMessages.get(tenantId, sourceId, ledgerEntryId);
      if (!raw) throw new AppError('RAW_MESSAGE_GONE', `The message is no longer kept (raw messages are kept ${RAW_MESSAGE_RETENTION_DAYS} days), so it cannot be reprocessed.`, 409);
      // Built before reopening: a source that is not ready leaves the row as it was.
      const ctx = await contextFor({ db, sources, jiraFor, tenantById: (id) => tenants.findById(id) }, tenantId, sourceId);
      await ledger.reopen(tenantId, ledgerEntryId);
      const handled = await ingestion.process(ctx, { raw }, { reprocess: true });
      return { ...handled, activity: await activityLog.latestFor(tenantId, ledgerEntryId) };
    },
  };
  /** A spool this old was left by a process killed mid-mail: processing one takes seconds. */
  const SPOOL_ABANDONED_MS = 60 * 60_000;
  const purge = async (now = new Date()) => ({
    tenants: await tenants.purgeUninstalled(),
    attempts: await attempts.purgeExpired(),
    credentials: await revocation.releaseAbandoned(),
    spools: await sweepSpools(config.ingestion.spoolDir, SPOOL_ABANDONED_MS, now.getTime()),
    rawMessages: await rawMessages.purgeOlderThan(new Date(now.getTime() - RAW_MESSAGE_RETENTION_DAYS * 24 * 3600 * 1000)),
  });
  return { tenants, sources, outbounds, credentials, google, tokens, revocation, connections, authorize, jiraFor, ingestion, activity, rawMessages, trustPageUrl, purge, background: BACKGROUND };
}
