// The form's values, and the pure rules between them and the API: what to check before sending, the
// body of a create, the smallest patch of an edit (a patch that touches connection settings re-tests
// the connection, so unchanged ones are left out), and where the server's field errors go.
import { typeChoice, type ConnectionKind } from './kinds';
import type { AfterProcessing, Connection, ConnectionCreate, ConnectionType, ConnectionUpdate } from './types';

export interface Draft {
  name: string;
  type: ConnectionType | null;
  username: string;
  host: string;
  port: string;
  tls: boolean;
  password: string;
  folder: string;
  fromName: string;
  projectId: string | null;
  issueTypeId: string | null;
  credentialId: string | null;
  /** Message Sources: who reports an unknown sender's issue, what is done to a mail once handled, and the attachments taken from it. */
  defaultReporterAccountId: string | null;
  afterProcessing: AfterProcessing;
  moveToFolder: string;
  keepOriginal: boolean;
  /** As typed: megabytes, and a count. */
  maxAttachmentMb: string;
  maxAttachments: string;
  /** Google Groups whose mail is taken in, as typed: addresses separated by commas or spaces. */
  acceptedLists: string;
}

const MB = 1024 * 1024;
/** The server's defaults, for a new Message Source. */
const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * MB;
const DEFAULT_MAX_ATTACHMENTS = 20;
const MAX_ATTACHMENT_MB = 1024;
const MAX_ATTACHMENTS = 1000;

/** Where a message can go in the form: a field, or the Authorize button. */
export type FieldName =
  | 'name'
  | 'type'
  | 'username'
  | 'host'
  | 'port'
  | 'tls'
  | 'password'
  | 'folder'
  | 'fromName'
  | 'projectId'
  | 'issueTypeId'
  | 'defaultReporterAccountId'
  | 'afterProcessing'
  | 'moveToFolder'
  | 'keepOriginal'
  | 'maxAttachmentMb'
  | 'maxAttachments'
  | 'acceptedLists'
  | 'authorize';
export type FieldErrors = Partial<Record<FieldName, string>>;

/** The id of each field's control (labels point at it; the first field with a problem gets the focus). */
export const FIELD_IDS: Record<FieldName, string> = {
  name: 'connection-name',
  type: 'connection-type',
  username: 'connection-username',
  host: 'connection-host',
  port: 'connection-port',
  tls: 'connection-tls',
  password: 'connection-password',
  folder: 'connection-folder',
  fromName: 'connection-from-name',
  projectId: 'connection-project',
  issueTypeId: 'connection-issue-type',
  defaultReporterAccountId: 'connection-default-reporter',
  afterProcessing: 'connection-after-processing',
  moveToFolder: 'connection-move-to',
  keepOriginal: 'connection-keep-original',
  maxAttachmentMb: 'connection-max-attachment-mb',
  maxAttachments: 'connection-max-attachments',
  acceptedLists: 'connection-accepted-lists',
  authorize: 'connection-authorize',
};

/** Megabytes as a person types them ("10", "2.5"), without trailing zeros. */
const megabytes = (bytes: number) => String(Math.round((bytes / MB) * 100) / 100);

export function initialDraft(connection?: Connection): Draft {
  return {
    name: connection?.name ?? '',
    type: connection?.type ?? null,
    username: connection?.username ?? '',
    host: connection?.host ?? '',
    port: connection?.port ? String(connection.port) : '',
    tls: connection?.tls ?? true,
    password: '',
    folder: connection?.folder ?? '',
    fromName: connection?.fromName ?? '',
    projectId: connection?.projectId ?? null,
    issueTypeId: connection?.issueTypeId ?? null,
    credentialId: connection?.credentialId ?? null,
    defaultReporterAccountId: connection?.defaultReporterAccountId ?? null,
    afterProcessing: connection?.afterProcessing ?? 'LEAVE',
    moveToFolder: connection?.moveToFolder ?? '',
    keepOriginal: connection?.keepOriginal ?? false,
    maxAttachmentMb: megabytes(connection?.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES),
    maxAttachments: String(connection?.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS),
    acceptedLists: (connection?.acceptedLists ?? []).join(', '),
  };
}

/** The addresses typed, lower-cased, each once. */
const addressesIn = (typed: string) => [...new Set(typed.split(/[\s,;]+/).map((a) => a.trim().toLowerCase()).filter(Boolean))];
const looksLikeAddress = (a: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a);

/** A number typed in a field, within [0, max]; 'invalid' otherwise. */
function parseAmount(typed: string, max: number, whole: boolean): number | 'invalid' {
  const text = typed.trim().replace(',', '.');
  const n = Number(text);
  if (!text || !Number.isFinite(n) || n < 0 || n > max || (whole && !Number.isInteger(n))) return 'invalid';
  return n;
}

const isOAuth = (kind: ConnectionKind, draft: Draft) => typeChoice(kind, draft.type ?? undefined)?.oauth ?? false;

function parsePort(port: string): number | undefined | 'invalid' {
  const text = port.trim();
  if (!text) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : 'invalid';
}

/** What must be fixed before Submit can do anything useful. */
export function validate(kind: ConnectionKind, draft: Draft, original?: Connection): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.name.trim()) errors.name = 'Enter a Name.';
  if (!draft.type) errors.type = 'Choose a Type.';
  else if (isOAuth(kind, draft)) {
    if (!draft.credentialId) errors.authorize = 'Click Authorize and allow access in the Google window first.';
  } else {
    if (!draft.host.trim()) errors.host = 'Enter the server host name.';
    if (parsePort(draft.port) === 'invalid') errors.port = 'Enter a port number from 1 to 65535.';
    if (!draft.username.trim()) errors.username = 'Enter the Username.';
    if (!draft.password && !original?.hasPassword) errors.password = 'Enter the Password.';
  }
  if (kind.jiraTarget) {
    if (draft.afterProcessing === 'MOVE' && !draft.moveToFolder.trim()) errors.moveToFolder = 'Enter the folder or Gmail label to move each mail to.';
    if (parseAmount(draft.maxAttachmentMb, MAX_ATTACHMENT_MB, false) === 'invalid') errors.maxAttachmentMb = `Enter a size in MB from 0 to ${MAX_ATTACHMENT_MB}.`;
    if (parseAmount(draft.maxAttachments, MAX_ATTACHMENTS, true) === 'invalid') errors.maxAttachments = `Enter a whole number from 0 to ${MAX_ATTACHMENTS}.`;
    const notAddress = addressesIn(draft.acceptedLists).find((a) => !looksLikeAddress(a));
    if (notAddress) errors.acceptedLists = `"${notAddress}" is not an email address: enter each Google Group as its address, e.g. support@acme.example.`;
  }
  return errors;
}

/** Every value the draft gives for its Type (empty optional fields left out). */
function fieldsOf(kind: ConnectionKind, draft: Draft): Record<string, string | number | boolean | null | string[]> {
  const out: Record<string, string | number | boolean | null | string[]> = { name: draft.name.trim(), type: draft.type! };
  const put = (key: string, value: string | number | boolean | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') out[key] = value;
  };
  if (isOAuth(kind, draft)) {
    put('credentialId', draft.credentialId);
    put('username', draft.username.trim());
  } else {
    put('host', draft.host.trim());
    const port = parsePort(draft.port);
    if (typeof port === 'number') out.port = port;
    out.tls = draft.tls;
    put('username', draft.username.trim());
    put('password', draft.password);
  }
  if (kind.jiraTarget) {
    put('folder', draft.folder.trim());
    put('projectId', draft.projectId);
    put('issueTypeId', draft.issueTypeId);
    out.defaultReporterAccountId = draft.defaultReporterAccountId;
    out.afterProcessing = draft.afterProcessing;
    // Only MOVE has a folder to move to; any other choice clears one left from before.
    out.moveToFolder = draft.afterProcessing === 'MOVE' ? draft.moveToFolder.trim() : null;
    out.keepOriginal = draft.keepOriginal;
    const mb = parseAmount(draft.maxAttachmentMb, MAX_ATTACHMENT_MB, false);
    if (mb !== 'invalid') out.maxAttachmentBytes = Math.round(mb * MB);
    const count = parseAmount(draft.maxAttachments, MAX_ATTACHMENTS, true);
    if (count !== 'invalid') out.maxAttachments = count;
    out.acceptedLists = addressesIn(draft.acceptedLists);
  }
  if (kind.fromName) put('fromName', draft.fromName.trim());
  return out;
}

export function toCreate(kind: ConnectionKind, draft: Draft): ConnectionCreate {
  const fields = fieldsOf(kind, draft);
  // A new source has nothing to clear.
  for (const key of ['moveToFolder', 'defaultReporterAccountId']) if (fields[key] === null) delete fields[key];
  return fields as unknown as ConnectionCreate;
}

/** Only what changed; a password is sent only when one was typed. */
export function toPatch(kind: ConnectionKind, draft: Draft, original: Connection): ConnectionUpdate {
  const fields = fieldsOf(kind, draft);
  const before = original as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'password' || JSON.stringify(before[key] ?? null) !== JSON.stringify(value)) patch[key] = value;
  }
  // The server keeps the port it was given; an emptied Port means "the default for TLS", said out loud.
  if (!isOAuth(kind, draft) && !('port' in fields) && original.port !== null) patch.port = kind.defaultPort(draft.tls);
  return patch;
}

const CONNECTION_SETTINGS = ['type', 'username', 'host', 'port', 'tls', 'password', 'credentialId', 'folder'];
/** Whether saving this patch makes the server test the connection first. */
export const retests = (patch: ConnectionUpdate) => CONNECTION_SETTINGS.some((f) => f in patch);

const FIELD_OF: Record<string, FieldName> = {
  name: 'name',
  type: 'type',
  username: 'username',
  loginHint: 'username',
  host: 'host',
  port: 'port',
  tls: 'tls',
  password: 'password',
  folder: 'folder',
  fromName: 'fromName',
  projectId: 'projectId',
  issueTypeId: 'issueTypeId',
  defaultReporterAccountId: 'defaultReporterAccountId',
  afterProcessing: 'afterProcessing',
  moveToFolder: 'moveToFolder',
  keepOriginal: 'keepOriginal',
  maxAttachmentBytes: 'maxAttachmentMb',
  maxAttachments: 'maxAttachments',
  acceptedLists: 'acceptedLists',
  credentialId: 'authorize',
};

/** The server's `fields`, sorted into the form's fields and what fits none of them. */
export function placeFieldErrors(fields: Record<string, string>): { errors: FieldErrors; rest: string[] } {
  const errors: FieldErrors = {};
  const rest: string[] = [];
  for (const [key, message] of Object.entries(fields)) {
    // A list's entries come back as e.g. "acceptedLists.0": the field is the list's.
    const field = FIELD_OF[key] ?? FIELD_OF[key.split('.')[0]!];
    if (field) errors[field] ??= message;
    else rest.push(message);
  }
  return { errors, rest };
}
