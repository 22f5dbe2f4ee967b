// The two pages differ only in these facts; every component takes one of these descriptions.
import type { AuthorizationKind, ConnectionType, TypeLabels } from './types';

/** The words users see for each Type (the server's TYPE_LABELS, checked by the type system). */
export const TYPE_LABELS = {
  IMAP_GMAIL_OAUTH: 'IMAP GMAIL OAuth',
  IMAP: 'IMAP',
  SMTP_GMAIL_OAUTH: 'SMTP GMAIL OAuth',
  SMTP: 'SMTP',
} as const satisfies TypeLabels;

export interface TypeChoice {
  value: ConnectionType;
  label: string;
  /** Authorized with Google (the account gives the Username) rather than a password. */
  oauth: boolean;
}

export interface ConnectionKind {
  /** For POST /api/authorizations. */
  key: AuthorizationKind;
  /** The page title, e.g. "Message Sources". */
  title: string;
  /** One of them, e.g. "Message Source". */
  noun: string;
  /** Below /api. */
  path: string;
  /** What the page is for, shown under its title. */
  description: string;
  types: TypeChoice[];
  /** Sources create issues: they have a Project, an Issue type and a folder to read. */
  jiraTarget: boolean;
  /** Outbounds send as someone: the sender's display name. */
  fromName: boolean;
  /** The port the server uses when none is given. */
  defaultPort: (tls: boolean) => number;
}

const choice = (value: ConnectionType, oauth: boolean): TypeChoice => ({ value, label: TYPE_LABELS[value], oauth });

export const MESSAGE_SOURCES: ConnectionKind = {
  key: 'source',
  title: 'Message Sources',
  noun: 'Message Source',
  path: '/message-sources',
  description: 'Mailboxes Mailbridge reads: each new mail becomes a Jira issue, each reply a comment.',
  types: [choice('IMAP_GMAIL_OAUTH', true), choice('IMAP', false)],
  jiraTarget: true,
  fromName: false,
  defaultPort: (tls) => (tls ? 993 : 143),
};

export const MESSAGE_OUTBOUNDS: ConnectionKind = {
  key: 'outbound',
  title: 'Message Outbounds',
  noun: 'Message Outbound',
  path: '/message-outbounds',
  description: 'Mailboxes Mailbridge sends from: answers and notifications go out in the same mail thread.',
  types: [choice('SMTP_GMAIL_OAUTH', true), choice('SMTP', false)],
  jiraTarget: false,
  fromName: true,
  defaultPort: (tls) => (tls ? 465 : 587),
};

/** Which page this is, from the address Jira loaded: /admin/message-sources or /admin/message-outbounds. */
export function kindForPath(pathname: string): ConnectionKind | undefined {
  const page = pathname.replace(/\/+$/, '').split('/').pop();
  if (page === 'message-sources') return MESSAGE_SOURCES;
  if (page === 'message-outbounds') return MESSAGE_OUTBOUNDS;
  return undefined;
}

export const typeChoice = (kind: ConnectionKind, type: string | undefined) => kind.types.find((t) => t.value === type);
export const typeLabel = (type: string) => (TYPE_LABELS as Record<string, string>)[type] ?? type;
export const isOAuthType = (type: string | undefined) => type === 'IMAP_GMAIL_OAUTH' || type === 'SMTP_GMAIL_OAUTH';
