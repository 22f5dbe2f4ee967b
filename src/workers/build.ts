// The mailbox worker of one process, from the shared services.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { Services } from '../services.js';
import { MailboxSupervisor, type SupervisorDeps } from './mailboxes.js';

export function buildWorker(parts: { config: Config; log: Logger; db: Db; databaseUrl: string; services: Services; watcher?: SupervisorDeps['watcher']; refreshEveryMs?: number }): MailboxSupervisor {
  const { services } = parts;
  return new MailboxSupervisor({
    db: parts.db,
    databaseUrl: parts.databaseUrl,
    sources: services.sources,
    tokens: services.tokens,
    gmail: parts.config.gmail,
    ingestion: services.ingestion,
    jiraFor: (tenant) => services.jiraFor(tenant, services.background),
    tenantById: (id) => services.tenants.findById(id),
    log: parts.log.child({ component: 'worker' }),
    mailsInFlight: parts.config.ingestion.mailsInFlight,
    ...(parts.watcher ? { watcher: parts.watcher } : {}),
    ...(parts.refreshEveryMs ? { refreshEveryMs: parts.refreshEveryMs } : {}),
  });
}
