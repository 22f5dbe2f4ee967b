// What the API answers, as the admin UI reads it. Request bodies come from the server's own schemas
// (src/api/schemas.ts, types only), so a renamed field breaks the client's type check, not the page.
import type { Explanation } from '../../src/google/explain.js';
import type {
  AuthorizationStart,
  MessageOutboundCreate,
  MessageOutboundUpdate,
  MessageSourceCreate,
  MessageSourceUpdate,
  TYPE_LABELS,
} from '../../src/api/schemas.js';

export type { Explanation };
export type ConnectionType = keyof typeof TYPE_LABELS;
export type TypeLabels = typeof TYPE_LABELS;
export type AuthorizationKind = AuthorizationStart['kind'];
export type ConnectionCreate = MessageSourceCreate | MessageOutboundCreate;
export type ConnectionUpdate = MessageSourceUpdate | MessageOutboundUpdate;

export type ConnectionStatus = 'NEW' | 'AUTHORIZED' | 'NEEDS_REAUTHORIZATION' | 'ERROR' | 'DISABLED';

/** A Message Source or Message Outbound (never with its password). */
export interface Connection {
  id: string;
  name: string;
  type: ConnectionType;
  username: string | null;
  host: string | null;
  port: number | null;
  tls: boolean;
  hasPassword: boolean;
  credentialId: string | null;
  enabled: boolean;
  status: ConnectionStatus;
  statusReason: string | null;
  statusDetail: string | null;
  statusExplanation: Explanation | null;
  lastCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Message Sources only. */
  folder?: string | null;
  projectId?: string | null;
  issueTypeId?: string | null;
  defaultReporterAccountId?: string | null;
  afterProcessing?: AfterProcessing;
  moveToFolder?: string | null;
  keepOriginal?: boolean;
  maxAttachmentBytes?: number;
  maxAttachments?: number;
  acceptedLists?: string[];
  /** Message Outbounds only. */
  fromName?: string | null;
}

/** A person in the tenant's Jira. */
export interface JiraUser {
  accountId: string;
  displayName: string;
}

/** What a Message Source does to a mail in the mailbox once it is an issue or a comment. */
export type AfterProcessing = 'LEAVE' | 'MARK_READ' | 'MOVE';

export interface TestResult {
  ok: boolean;
  connection: Connection;
  problem?: Explanation;
}

export interface Installation {
  baseUrl: string;
  displayUrl: string | null;
  installedAt: string;
  userAccountId: string | null;
  google: { configured: boolean; clientId: string | null; trustPageUrl: string };
}

export interface Project {
  id: string;
  key: string;
  name: string;
}

export interface IssueType {
  id: string;
  name: string;
}

export interface AuthorizationStarted {
  id: string;
  url: string;
  expiresAt: string;
}

export type AuthorizationStatus = 'PENDING' | 'AUTHORIZED' | 'FAILED' | 'EXPIRED';

/** GET /authorizations/:id, and what the callback page posts to window.opener. */
export interface AuthorizationOutcome {
  id?: string;
  status: AuthorizationStatus;
  email?: string;
  credentialId?: string;
  error?: Explanation;
}

export type ActivityOutcome = 'ISSUE_CREATED' | 'COMMENT_ADDED' | 'IGNORED' | 'FAILED' | 'QUARANTINED';

/** GET /message-sources/:id/activity: what one mail became. */
export interface ActivityItem {
  id: string;
  at: string;
  outcome: ActivityOutcome;
  reason: string | null;
  issueKey: string | null;
  issueUrl: string | null;
  messageId: string | null;
  subject: string | null;
  sender: string | null;
  ledgerEntryId: string | null;
  canReprocess: boolean;
}

export interface ReprocessResult {
  outcome: 'done' | 'retry';
  reason?: string;
  activity: ActivityItem | null;
}
