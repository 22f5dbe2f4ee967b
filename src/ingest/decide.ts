// What an email becomes, decided from values alone: a comment on the issue it answers, or a new issue.
// An email answers an issue when its subject names one of the Message Source's project ("[SUP-12]",
// "Re: SUP-12 printer"), or when In-Reply-To/References name a Message-ID we sent or received for one
// (the caller looks those up in the ledger and passes what it found).

/** Jira's limit for an issue summary, in UTF-16 code units (Jira counts Java chars: an emoji is two). */
export const SUMMARY_MAX = 255;

export interface DecideInput {
  subject: string;
  messageId?: string | undefined;
  inReplyTo: string[];
  references: string[];
}

export interface DecideContext {
  /** The key of the Message Source's project, e.g. "SUP". */
  projectKey: string;
  /** Issue keys the thread's Message-IDs map to, from the ledger (newest reference first). */
  threadIssueKeys: string[];
}

export type Decision =
  | { kind: 'comment'; issueKey: string; via: 'subject' | 'thread' }
  | { kind: 'create'; summary: string };

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first issue key of the project named in a subject, or undefined. */
export function issueKeyInSubject(subject: string, projectKey: string): string | undefined {
  const re = new RegExp(`(?:^|[^A-Za-z0-9_-])(${escapeRegExp(projectKey)}-[1-9]\\d{0,9})(?![A-Za-z0-9_-])`, 'i');
  const m = re.exec(subject);
  return m ? m[1]!.toUpperCase() : undefined;
}

/** The subject as a summary: one line, trimmed, at most 255 characters, never empty. */
export function summaryOf(subject: string): string {
  const oneLine = subject.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  if (!oneLine) return '(no subject)';
  if (oneLine.length <= SUMMARY_MAX) return oneLine;
  // Cut between code points, never inside a surrogate pair, leaving room for the ellipsis.
  let cut = '';
  for (const ch of oneLine) {
    if (cut.length + ch.length > SUMMARY_MAX - 1) break;
    cut += ch;
  }
  return `${cut.trimEnd()}…`;
}

export function decide(email: DecideInput, ctx: DecideContext): Decision {
  const fromSubject = issueKeyInSubject(email.subject, ctx.projectKey);
  if (fromSubject) return { kind: 'comment', issueKey: fromSubject, via: 'subject' };
  const fromThread = ctx.threadIssueKeys[0];
  if (fromThread) return { kind: 'comment', issueKey: fromThread, via: 'thread' };
  return { kind: 'create', summary: summaryOf(email.subject) };
}

/** The Message-IDs an email answers, newest first, for the ledger lookup. */
export function threadMessageIds(email: DecideInput): string[] {
  const ids = [...email.inReplyTo, ...[...email.references].reverse()];
  return [...new Set(ids)].filter((id) => id !== email.messageId);
}
