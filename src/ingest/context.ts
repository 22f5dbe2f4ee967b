// What the ingestion needs to know about one Message Source, built the same way for the mailbox worker
// and for the admin's Reprocess: its settings, its Project's key (from Jira), the tenant's own
// addresses, and a Jira client.
import type { Db } from '../store/db.js';
import type { MessageSources } from '../store/connections.js';
import type { TenantView } from '../store/tenants.js';
import type { JiraClient } from '../jira/client.js';
import { AppError } from '../errors.js';
import type { IngestContext } from './pipeline.js';

export interface ContextDeps {
  db: Db;
  sources: MessageSources;
  jiraFor: (tenant: TenantView) => Promise<JiraClient>;
  tenantById: (id: string) => Promise<TenantView | null>;
}

export async function contextFor(d: ContextDeps, tenantId: string, sourceId: string): Promise<IngestContext> {
  const tenant = await d.tenantById(tenantId);
  if (!tenant) throw new Error('tenant not found');
  const source = await d.sources.stored(tenantId, sourceId);
  if (!source.projectId || !source.issueTypeId) throw new AppError('SOURCE_NOT_READY', 'The Message Source has no Project or Issue type yet: edit it first.', 409);
  const jira = await d.jiraFor(tenant);
  const project = await jira.request<{ key: string }>('GET', `/rest/api/3/project/${encodeURIComponent(source.projectId)}`);
  const outbounds = await d.db.messageOutbound.findMany({ where: { tenantId }, select: { username: true } });
  return {
    tenantId,
    source: {
      id: source.id,
      projectId: source.projectId,
      projectKey: project.key,
      issueTypeId: source.issueTypeId,
      defaultReporterAccountId: source.defaultReporterAccountId,
      keepOriginal: source.keepOriginal,
      maxAttachmentBytes: source.maxAttachmentBytes,
      maxAttachments: source.maxAttachments,
      acceptedLists: source.acceptedLists,
    },
    // Mail from our own addresses (our notifications, the mailbox itself) is never a request.
    ownAddresses: [source.username, ...outbounds.map((o) => o.username)].filter((a): a is string => Boolean(a)),
    jira,
  };
}
