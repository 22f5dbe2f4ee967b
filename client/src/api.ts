// The Mailbridge API by name, over the one transport.
import { api } from './transport';
import type { ConnectionKind } from './kinds';
import type {
  AuthorizationKind,
  AuthorizationOutcome,
  AuthorizationStarted,
  Connection,
  ConnectionCreate,
  ConnectionUpdate,
  Installation,
  IssueType,
  Project,
  TestResult,
} from './types';

export const getInstallation = () => api<Installation>('GET', '/installation');

export const listProjects = () => api<Project[]>('GET', '/jira/projects');
export const listIssueTypes = (projectId: string) => api<IssueType[]>('GET', `/jira/projects/${encodeURIComponent(projectId)}/issue-types`);

export const listConnections = (kind: ConnectionKind) => api<Connection[]>('GET', kind.path);
export const createConnection = (kind: ConnectionKind, body: ConnectionCreate) => api<Connection>('POST', kind.path, body);
export const updateConnection = (kind: ConnectionKind, id: string, patch: ConnectionUpdate) => api<Connection>('PATCH', `${kind.path}/${encodeURIComponent(id)}`, patch);
export const deleteConnection = (kind: ConnectionKind, id: string) => api<void>('DELETE', `${kind.path}/${encodeURIComponent(id)}`);
export const testConnection = (kind: ConnectionKind, id: string) => api<TestResult>('POST', `${kind.path}/${encodeURIComponent(id)}/test`);

export const startAuthorization = (body: { kind: AuthorizationKind; targetId?: string; loginHint?: string | null }) => api<AuthorizationStarted>('POST', '/authorizations', body);
export const getAuthorization = (id: string) => api<AuthorizationOutcome>('GET', `/authorizations/${encodeURIComponent(id)}`);
