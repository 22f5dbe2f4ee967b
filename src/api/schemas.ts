// The admin API's request and response shapes, in one place so the admin UI (client/) can share them.
import { z } from 'zod';

const name = z.string({ error: 'Enter a Name.' }).trim().min(1, 'Enter a Name.').max(100, 'A Name has at most 100 characters.');
const host = z.string().trim().min(1).max(255);
const port = z.number().int().min(1).max(65535);
const username = z.string().trim().min(1).max(320);
const password = z.string().min(1).max(1000);

export const SOURCE_TYPES = ['IMAP_GMAIL_OAUTH', 'IMAP'] as const;
export const OUTBOUND_TYPES = ['SMTP_GMAIL_OAUTH', 'SMTP'] as const;
/** The words users see for each Type. */
export const TYPE_LABELS = {
  IMAP_GMAIL_OAUTH: 'IMAP GMAIL OAuth',
  IMAP: 'IMAP',
  SMTP_GMAIL_OAUTH: 'SMTP GMAIL OAuth',
  SMTP: 'SMTP',
} as const;

const sourceFields = {
  name,
  type: z.enum(SOURCE_TYPES, { error: 'Choose a Type: IMAP GMAIL OAuth or IMAP.' }),
  username: username.optional(),
  host: host.optional(),
  port: port.optional(),
  tls: z.boolean().optional(),
  password: password.optional(),
  folder: z.string().trim().min(1).max(255).optional(),
  projectId: z.string().trim().min(1).max(50).optional(),
  issueTypeId: z.string().trim().min(1).max(50).optional(),
  defaultReporterAccountId: z.string().trim().min(1).max(128).optional(),
  afterProcessing: z.enum(['LEAVE', 'MARK_READ', 'MOVE']).optional(),
  moveToFolder: z.string().trim().min(1).max(255).optional(),
  keepOriginal: z.boolean().optional(),
  maxAttachmentBytes: z.number().int().min(0).max(1024 * 1024 * 1024).optional(),
  maxAttachments: z.number().int().min(0).max(1000).optional(),
  /** Google Groups whose mail is taken in; an empty list takes none. */
  acceptedLists: z
    .array(z.string().trim().toLowerCase().max(254).pipe(z.email({ error: 'Enter each Google Group as its email address, e.g. support@acme.example.' })))
    .max(50, { error: 'At most 50 Google Groups.' })
    .optional(),
  enabled: z.boolean().optional(),
  /** The Google account from Authorize (Gmail types). */
  credentialId: z.uuid().optional(),
};

/** Plain IMAP and SMTP need a server and a login; the Gmail types get theirs from Authorize. */
function requireServer(v: { type: string; host?: string | undefined; username?: string | undefined }, ctx: z.RefinementCtx) {
  if (v.type === 'IMAP' || v.type === 'SMTP') {
    if (!v.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'Enter the server host name.' });
    if (!v.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'Enter the Username.' });
  }
}

export const messageSourceCreate = z.strictObject(sourceFields).superRefine(requireServer);
/** In an edit, null clears an optional field (a Project, a folder to move to, a default reporter). */
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const messageSourceUpdate = z
  .strictObject({
    ...sourceFields,
    port: clearable(port),
    projectId: clearable(sourceFields.projectId.unwrap()),
    issueTypeId: clearable(sourceFields.issueTypeId.unwrap()),
    defaultReporterAccountId: clearable(sourceFields.defaultReporterAccountId.unwrap()),
    moveToFolder: clearable(sourceFields.moveToFolder.unwrap()),
  })
  .partial();
export type MessageSourceCreate = z.infer<typeof messageSourceCreate>;
export type MessageSourceUpdate = z.infer<typeof messageSourceUpdate>;

const outboundFields = {
  name,
  type: z.enum(OUTBOUND_TYPES, { error: 'Choose a Type: SMTP GMAIL OAuth or SMTP.' }),
  username: username.optional(),
  fromName: z.string().trim().min(1).max(200).optional(),
  host: host.optional(),
  port: port.optional(),
  tls: z.boolean().optional(),
  password: password.optional(),
  enabled: z.boolean().optional(),
  credentialId: z.uuid().optional(),
};

export const messageOutboundCreate = z.strictObject(outboundFields).superRefine(requireServer);
export const messageOutboundUpdate = z
  .strictObject({ ...outboundFields, port: clearable(port), fromName: clearable(outboundFields.fromName.unwrap()) })
  .partial();
export type MessageOutboundCreate = z.infer<typeof messageOutboundCreate>;
export type MessageOutboundUpdate = z.infer<typeof messageOutboundUpdate>;

export const idParam = z.uuid({ message: 'Not a valid id.' });

export const authorizationStart = z.strictObject({
  kind: z.enum(['source', 'outbound'], { error: 'kind must be "source" or "outbound".' }),
  /** The Message Source or Outbound being re-authorized; absent while creating one. */
  targetId: z.uuid().optional(),
  /**
   * The Username already typed: Google preselects that account and the callback checks it. Absent on a
   * re-authorize: the saved Username is expected. Null: any account may be chosen.
   */
  loginHint: z.email({ error: 'The Username must be an email address.' }).nullable().optional(),
});
export type AuthorizationStart = z.infer<typeof authorizationStart>;
