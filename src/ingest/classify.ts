// Which mail must never become an issue or a comment: mail that machines send about other mail
// (bounces, auto-replies, feedback reports) and our own mail coming back. Ingesting it, or notifying
// its sender, starts a mail loop. Pure and synchronous: an InboundEmail in, a decision out, with the
// header that decided it, which admins see in the activity log ("why was this mail ignored").
import type { InboundEmail } from '../mail/parse/inbound-email.js';
import { LOOP_HEADER } from '../mail/parse/inbound-email.js';
import { bounceNotice, daemonSender, reportPart, robotOfMailingList, shown, vendorReport } from './mail-systems.js';

export type IgnoreReason = 'LOOP_HEADER' | 'OWN_ADDRESS' | 'FEEDBACK_REPORT' | 'BOUNCE' | 'AUTO_REPLY' | 'PRECEDENCE';

export type Classification = { action: 'process' } | { action: 'ignore'; reason: IgnoreReason; detail: string };

export interface ClassifyContext {
  /** The addresses of the tenant's Message Outbounds: mail we sent ourselves. */
  ownAddresses: string[];
  /**
   * Google Groups (or other lists) whose mail is taken in: a support@ group delivering to the
   * mailbox marks every customer's mail `Precedence: list`, which otherwise means "ignore".
   */
  acceptedLists?: string[];
}

/** What a rule found: the header (or headers) that decided, as shown to admins; undefined for no. */
type Rule = (email: InboundEmail, ctx: ClassifyContext) => string | undefined;

const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[ -]?(reply|response)|autoreply|out of (the )?office( auto ?reply)?|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica)\s*:/i;

const PRECEDENCE_VALUES = new Set(['bulk', 'junk', 'list', 'auto_reply']);

/** In priority order: when several reasons apply, the first one is the one reported. */
const RULES: [IgnoreReason, Rule[]][] = [
  [
    'LOOP_HEADER',
    [
      // Every mail we send carries this header: seeing it means our own mail came back to us.
      (e) => shown(LOOP_HEADER, e.headers.xMailbridgeLoop),
    ],
  ],
  [
    'OWN_ADDRESS',
    [
      // Mail from a Message Outbound's address is ours (a notification, or a copy the mailbox keeps).
      (e, ctx) => (e.from && ownAddress(e.from.address, ctx) ? shown('From', e.from.address) : undefined),
    ],
  ],
  [
    'FEEDBACK_REPORT',
    [
      // RFC 5965 (ARF): a mailbox provider reporting a complaint about a message, not a person writing.
      (e) => (e.headers.contentType.reportType === 'feedback-report' ? contentType(e) : undefined),
      // An ARF report forwarded inside another wrapper still carries its machine-readable part.
      (e) => reportPart(e, 'message/feedback-report'),
      // Providers that report complaints in their own format (Microsoft JMRP, Amazon SES via SNS).
      (e) => vendorReport(e, 'complaint'),
    ],
  ],
  [
    'BOUNCE',
    [
      // RFC 3464/6522: a delivery status notification; any other multipart/report but a read receipt is a mail system's too.
      (e) => (e.headers.contentType.type === 'multipart/report' && e.headers.contentType.reportType !== 'disposition-notification' ? contentType(e) : undefined),
      // A DSN's machine-readable part, wherever the mail system put it.
      (e) => reportPart(e, 'message/delivery-status') ?? reportPart(e, 'message/global-delivery-status'),
      // Exim and others set it only on the bounces they generate.
      (e) => shown('X-Failed-Recipients', e.headers.xFailedRecipients),
      // MAILER-DAEMON, "Mail Delivery Subsystem", From <>: no person writes under these names.
      (e) => daemonSender(e),
      // Vendor bounces without a standard mark: a postmaster or null sender, and a bounce's subject, words or returned message.
      (e) => bounceNotice(e),
      // A list manager's robot address (owner-, -request, -admin) rejecting a post, with the list's own headers.
      (e) => robotOfMailingList(e),
      // Providers that report bounces in their own format (Amazon SES via SNS).
      (e) => vendorReport(e, 'bounce'),
    ],
  ],
  [
    'AUTO_REPLY',
    [
      // RFC 3834: the standard mark of an automatic response; `no` is the only value a person's mail has.
      (e) => (e.headers.autoSubmitted && !/^no\b/i.test(e.headers.autoSubmitted) ? shown('Auto-Submitted', e.headers.autoSubmitted) : undefined),
      // Older vacation programs mark their replies with these instead.
      (e) => shown('X-Autoreply', e.headers.xAutoreply) ?? shown('X-Autorespond', e.headers.xAutorespond),
      // RFC 3798: a read receipt is an automatic response to a message, not a message.
      (e) => (e.headers.contentType.reportType === 'disposition-notification' ? contentType(e) : undefined),
      // Outlook, Exchange and iCloud vacation replies set no standard header; their subject starts with a fixed prefix.
      (e) => (AUTO_REPLY_SUBJECT.test(e.subject) ? shown('Subject', e.subject) : undefined),
    ],
  ],
  [
    'PRECEDENCE',
    [
      // RFC 3834 section 2: never respond to bulk, junk or list mail (and auto_reply is itself an answer),
      // but for a list the Message Source takes mail from; auto-replies through it were caught above.
      (e, ctx) => precedence(e, ctx),
    ],
  ],
];

export function classify(email: InboundEmail, ctx: ClassifyContext): Classification {
  for (const [reason, rules] of RULES) {
    for (const rule of rules) {
      const detail = rule(email, ctx);
      if (detail) return { action: 'ignore', reason, detail };
    }
  }
  return { action: 'process' };
}

function precedence(e: InboundEmail, ctx: ClassifyContext): string | undefined {
  const value = (e.headers.precedence ?? '').trim().toLowerCase();
  if (!PRECEDENCE_VALUES.has(value)) return undefined;
  const list = value === 'list' ? listOf(e) : undefined;
  if (list && acceptedList(list, ctx)) return undefined;
  const detail = shown('Precedence', e.headers.precedence);
  const name = list?.address ?? list?.id;
  // Say what would take such mail in: the group's address under the Message Source's Google Groups.
  return name ? `${detail} (mail through the list ${name}; if it is your own Google Group, add it to the Message Source's Google Groups to accept)` : detail;
}

/** The list a mail came through: Google Groups' `Mailing-list: list support@acme.example; ...`, and its List-Id. */
function listOf(e: InboundEmail): { address?: string; id?: string } | undefined {
  const address = /\blist\s+<?([^\s<>;,]+@[^\s<>;,]+)>?/i.exec(e.headers.mailingList ?? '')?.[1]?.toLowerCase();
  const id = /<([^<>\s]+)>/.exec(e.headers.listId ?? '')?.[1]?.toLowerCase();
  if (!address && !id) return undefined;
  return { ...(address ? { address } : {}), ...(id ? { id } : {}) };
}

/** Whether the list is one the Message Source accepts: by its address, or by the List-Id Google gives it (`support.acme.example`). */
function acceptedList(list: { address?: string; id?: string }, ctx: ClassifyContext): boolean {
  return (ctx.acceptedLists ?? []).some((accepted) => {
    const a = accepted.trim().toLowerCase();
    return a === list.address || a.replace('@', '.') === list.id;
  });
}

function ownAddress(address: string, ctx: ClassifyContext): boolean {
  return ctx.ownAddresses.some((own) => own.trim().toLowerCase() === address);
}

function contentType(email: InboundEmail): string {
  const { type, reportType } = email.headers.contentType;
  return `Content-Type: ${type}${reportType ? `; report-type=${reportType}` : ''}`;
}
