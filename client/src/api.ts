// The Mailbridge API by name, over the one transport.
import { api, apiBlob } from './transport';
import type { ConnectionKind } from './kinds';
import type {
  ActivityItem,
  AuthorizationKind,
  AuthorizationOutcome,
  AuthorizationStarted,
  Connection,
  ConnectionCreate,
  ConnectionUpdate,
  Installation,
  IssueType,
  JiraUser,
  Project,
  ReprocessResult,
  TestResult,
} from './types';

export const getInstallation = () => api<Installation>('GET', '/installation');

export const listProjects = () => api<Project[]>('GET', '/jira/projects');
export const listIssueTypes = (projectId: string) => api<IssueType[]>('GET', `/jira/projects/${encodeURIComponent(projectId)}/issue-types`);
export const searchUsers = (query: string) => api<JiraUser[]>('GET', `/jira/users?query=${encodeURIComponent(query)}`);
export const getUser = (accountId: string) => api<JiraUser>('GET', `/jira/users/${encodeURIComponent(accountId)}`);

export const listConnections = (kind: ConnectionKind) => api<Connection[]>('GET', kind.path);
export const createConnection = (kind: ConnectionKind, body: ConnectionCreate) => api<Connection>('POST', kind.path, body);
export const updateConnection = (kind: ConnectionKind, id: string, patch: ConnectionUpdate) => api<Connection>('PATCH', `${kind.path}/${encodeURIComponent(id)}`, patch);
export const deleteConnection = (kind: ConnectionKind, id: string) => api<void>('DELETE', `${kind.path}/${encodeURIComponent(id)}`);
export const testConnection = (kind: ConnectionKind, id: string) => api<TestResult>('POST', `${kind.path}/${encodeURIComponent(id)}/test`);

export const startAuthorization = (body: { kind: AuthorizationKind; targetId?: string; loginHint?: string | null }) => api<AuthorizationStarted>('POST', '/authorizations', body);
export const getAuthorization = (id: string) => api<AuthorizationOutcome>('GET', `/authorizations/${encodeURIComponent(id)}`);

const messagePath = (sourceId: string, ledgerEntryId: string) => `/message-sources/${encodeURIComponent(sourceId)}/messages/${encodeURIComponent(ledgerEntryId)}`;
export const listActivity = (sourceId: string, limit = 50) => api<ActivityItem[]>('GET', `/message-sources/${encodeURIComponent(sourceId)}/activity?limit=${limit}`);
export const getRawMessage = (sourceId: string, ledgerEntryId: string) => apiBlob(`${messagePath(sourceId, ledgerEntryId)}/raw`);
export const reprocessMessage = (sourceId: string, ledgerEntryId: string) => api<ReprocessResult>('POST', `${messagePath(sourceId, ledgerEntryId)}/reprocess`);
