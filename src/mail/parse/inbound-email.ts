// One email as the rest of Mailbridge sees it: plain values read once from the raw message, so that
// ingest/ can decide what the email becomes without knowing anything about MIME or mailparser.

/** Our own header on every mail we send; a message carrying it came back to us and is never ingested. */
export const LOOP_HEADER = 'X-Mailbridge-Loop';

export interface Address {
  /** Lower-cased, so that comparing two addresses is a plain string comparison. */
  address: string;
  name?: string;
}

/** A large part's bytes, kept in a file of the spool while its mail is processed (src/mail/spool.ts). */
export interface SpooledContent {
  readonly path: string;
  readonly size: number;
}

/** A part's decoded bytes: in memory, or (large, and parsed with a spool) in a file. */
export type PartContent = Buffer | SpooledContent;

export interface InboundAttachment {
  /** Never empty, never a path: safe to use as the name of a Jira attachment. */
  filename: string;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Without angle brackets, as `cid:` URLs in the HTML name it. */
  contentId?: string;
  /** Shown inside the body (Content-Disposition inline, or referenced by cid from the HTML) rather than attached to it. */
  inline: boolean;
  content: PartContent;
  /** sha256 of the content, hex. */
  checksum: string;
}

/** The top part's Content-Type, lower-cased: `report-type` tells a bounce from a feedback report. */
export interface TopContentType {
  type: string;
  reportType?: string;
}

/**
 * The header values classification reads, each the first occurrence, unfolded and trimmed;
 * undefined when the message does not have the header.
 */
export interface ClassifyingHeaders {
  autoSubmitted?: string;
  precedence?: string;
  xAutoreply?: string;
  xAutorespond?: string;
  xAutoResponseSuppress?: string;
  listId?: string;
  listUnsubscribe?: string;
  mailingList?: string;
  xMlServer?: string;
  /** The From header as written, for a sender with no readable address such as `MAILER-DAEMON <>`. */
  from?: string;
  /** As written, so that the null reverse-path `<>` of a bounce is still visible. */
  returnPath?: string;
  xMailbridgeLoop?: string;
  contentType: TopContentType;
  xFailedRecipients?: string;
}

export interface InboundEmail {
  /** Angle brackets kept (`<abc@host>`); undefined when absent or unparseable. */
  messageId?: string;
  inReplyTo: string[];
  references: string[];
  /** Decoded; '' when absent. */
  subject: string;
  from?: Address;
  sender?: Address;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Undefined when absent or invalid (never "now"). */
  date?: Date;
  /** The text/plain parts as the sender wrote them; not made up from the HTML (convert `html` for that). */
  text?: string;
  /** The text/html parts, `cid:` links left as they are (see InboundAttachment.contentId). */
  html?: string;
  attachments: InboundAttachment[];
  headers: ClassifyingHeaders;
  /** Raw size in bytes. */
  size: number;
  /** sha256 of the raw bytes, hex: identifies a message that has no Message-ID. */
  digest: string;
  /** What was wrong with the message, in words an admin can act on; empty for a well-formed one. */
  parseProblems: string[];
}
