// The signs that a mail system, not a person, wrote a message, for the mail that carries no standard
// mark (RFC 3464, RFC 3834): vendor bounces, list managers, provider reports. Each sign alone can be
// seen on ordinary mail (a person may write from postmaster@, or attach a returned message), so the
// weaker ones only count together. Pure, like classify.ts.
import type { InboundEmail } from '../mail/parse/inbound-email.js';

/** Names that are mail software, never a person: MAILER-DAEMON, "Mail Delivery Subsystem". */
const DAEMON = /mailer[-_.]?daemon|mail deliver(y)? (sub)?system/i;
const POSTMASTER = /^(postmaster|post_master)@/i;
const NO_REPLY = /^(no-?reply|do-?not-?reply)@/i;
/** The subjects bounces start with, across the mail servers we know (Postfix, Exim, sendmail, qmail, Exchange, Domino, Gmail...). */
const BOUNCE_SUBJECT =
  /^\s*(\[postmaster\]\s*)?(undeliver|returned mail|mail delivery (failed|failure|status)|delivery (status notification|failure|failed|has failed)|permanent delivery failure|failure (notice|delivery)|failed delivery|mail (could not be delivered|failed, returning)|message delivery has failed|mail system error|delayed mail|warning--could not send|non-?deliver|email delivery failure|メールエラー通知|メッセージを配信できません)/i;
/** What a bounce's text says near its start; only counted with a sign that a mail system sent it. */
const BOUNCE_TEXT =
  /could not be delivered|was not delivered|undeliverable|delivery (to the following recipients? )?(has )?failed|invalid user address|user unknown|no such user|mailbox (is )?(full|unavailable)|permanent error|returned to sender/i;
const BOUNCE_TEXT_SPAN = 2000;
/** Amazon SES notifications as JSON, possibly escaped inside SNS's own JSON. */
const SES_COMPLAINT = /\\?"(notificationType|eventType)\\?"\s*:\s*\\?"(Complaint)\\?"/;
const SES_BOUNCE_OR_DELIVERY = /\\?"(notificationType|eventType)\\?"\s*:\s*\\?"(Bounce|Delivery)\\?"/;
/** The robot addresses of list managers (Mailman, ezmlm, fml): owner-x, x-request, x-admin, x-bounces. */
const LIST_ROBOT = /^(owner-[^@]+|[^@]+-(admin|owner|request|bounces?))@/i;

/** A sender whose name says it is mail software; nobody else writes as MAILER-DAEMON or from `<>`. */
export function daemonSender(email: InboundEmail): string | undefined {
  const from = email.headers.from;
  return from !== undefined && (DAEMON.test(from) || /<\s*>/.test(from)) ? shown('From', from) : undefined;
}

/**
 * A bounce without a standard mark: a sign of who sent it (a postmaster From, a null or MAILER-DAEMON
 * reverse-path) with a sign of what it is (a bounce's subject or words, the returned message). A
 * no-reply sender is weaker (shops send "delivery failed" about parcels), so it needs both a
 * bounce's subject and the returned message.
 */
export function bounceNotice(email: InboundEmail): string | undefined {
  const subject = bounceSubject(email);
  const returned = returnedMessage(email);
  const content = subject ?? bounceText(email) ?? returned;
  const postmaster = postmasterFrom(email);
  const returnPath = mailSystemReturnPath(email);
  if (postmaster && (returnPath ?? content)) return `${postmaster}, ${returnPath ?? content}`;
  if (returnPath && content) return `${returnPath}, ${content}`;
  const noReply = noReplyFrom(email);
  if (noReply && subject && returned) return `${noReply}, ${subject}, ${returned}`;
  return undefined;
}

/** A list manager writing from its robot address, with the list's own headers to prove it. */
export function robotOfMailingList(email: InboundEmail): string | undefined {
  const h = email.headers;
  const listHeader = shown('List-Id', h.listId) ?? shown('Mailing-List', h.mailingList) ?? shown('X-MLServer', h.xMlServer) ?? shown('List-Unsubscribe', h.listUnsubscribe);
  if (!email.from || !LIST_ROBOT.test(email.from.address) || !listHeader) return undefined;
  return `From: ${email.from.address}, ${listHeader}`;
}

/** A machine-readable report part (message/delivery-status...) anywhere in the message. */
export function reportPart(email: InboundEmail, type: string): string | undefined {
  return email.attachments.some((a) => a.contentType === type) ? `a ${type} part` : undefined;
}

/**
 * The null reverse-path (`Return-Path: <>`, or empty): RFC 5321 section 4.5.5 keeps it for
 * notifications. Not a reason on its own: a misconfigured form or script sends from it too.
 */
function nullSender(email: InboundEmail): string | undefined {
  const path = email.headers.returnPath;
  return path !== undefined && /^<?\s*>?$/.test(path.trim()) ? `Return-Path: ${path.trim() || '(empty)'}` : undefined;
}

/** Complaint and bounce reports in a provider's own format. */
export function vendorReport(email: InboundEmail, kind: 'complaint' | 'bounce'): string | undefined {
  const from = email.from?.address ?? '';
  // Microsoft's Junk Mail Reporting Program forwards each complaint under this subject.
  if (kind === 'complaint' && from === 'staff@hotmail.com' && /^\s*complaint about message from /i.test(email.subject)) {
    return `From: ${from}, ${shown('Subject', email.subject)}`;
  }
  // Amazon SES publishes bounces and complaints as JSON through SNS e-mail subscriptions.
  // A Delivery notification is the DSN of a success, a bounce's sibling, as in RFC 3464.
  const json = kind === 'complaint' ? SES_COMPLAINT : SES_BOUNCE_OR_DELIVERY;
  const found = from.endsWith('@sns.amazonaws.com') ? json.exec(email.text?.slice(0, BOUNCE_TEXT_SPAN) ?? '') : null;
  if (found) return `From: ${from}, "${found[1]}": "${found[2]}" in the text`;
  return undefined;
}

function postmasterFrom(email: InboundEmail): string | undefined {
  return email.from && POSTMASTER.test(email.from.address) ? `From: ${email.from.address}` : undefined;
}

function noReplyFrom(email: InboundEmail): string | undefined {
  return email.from && NO_REPLY.test(email.from.address) ? `From: ${email.from.address}` : undefined;
}

function mailSystemReturnPath(email: InboundEmail): string | undefined {
  const path = email.headers.returnPath;
  return nullSender(email) ?? (path !== undefined && /^<?\s*mailer-daemon\b/i.test(path) ? shown('Return-Path', path) : undefined);
}

function bounceSubject(email: InboundEmail): string | undefined {
  return BOUNCE_SUBJECT.test(email.subject) ? shown('Subject', email.subject) : undefined;
}

function bounceText(email: InboundEmail): string | undefined {
  const found = BOUNCE_TEXT.exec(email.text?.slice(0, BOUNCE_TEXT_SPAN) ?? '');
  return found ? `"${found[0]}" in the text` : undefined;
}

function returnedMessage(email: InboundEmail): string | undefined {
  const part = email.attachments.find((a) => a.contentType === 'message/rfc822' || a.contentType.startsWith('text/rfc822-header'));
  return part ? `a returned message (${part.contentType})` : undefined;
}

/** `Name: value` for a header the message has, undefined for one it has not. */
export function shown(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const line = value.replace(/\s+/g, ' ').trim();
  return `${name}: ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`;
}
