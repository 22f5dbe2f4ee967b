// One mail of a Message Source, end to end: parse it, open its ledger row, ignore what must be ignored,
// decide issue or comment, and make it so in Jira, exactly once. The ledger row is opened before the
// Jira call and completed after it; a row left open by a crash makes the next attempt look in Jira
// first (by the indexed entity property on what we create) instead of creating a second one.
import type { Logger } from '../log.js';
import { JiraError, type JiraClient } from '../jira/client.js';
import {
  addComment,
  addWatcher,
  attach,
  attachmentsOf,
  createIssue,
  findCommentByMessageKey,
  findIssueByMessageKey,
  findUserByEmail,
  issueExists,
  type MessageProperty,
} from '../jira/issues.js';
import { parseEmail } from '../mail/parse/parse.js';
import type { InboundEmail } from '../mail/parse/inbound-email.js';
import type { Ledger } from '../store/ledger.js';
import type { ActivityLog, Outcome } from '../store/activity.js';
import type { RawMessages } from '../store/raw-messages.js';
import { classify } from './classify.js';
import { commentBody, issueDescription } from './content.js';
import { decide, summaryOf, threadMessageIds } from './decide.js';
import type { SenderRateLimiter } from './rate-limit.js';

export interface SourceSettings {
  id: string;
  projectId: string;
  projectKey: string;
  issueTypeId: string;
  defaultReporterAccountId: string | null;
  keepOriginal: boolean;
  maxAttachmentBytes: number;
  maxAttachments: number;
}

export interface IngestContext {
  tenantId: string;
  source: SourceSettings;
  /** The tenant's Message Outbound addresses: mail from them is our own. */
  ownAddresses: string[];
  jira: JiraClient;
}

export interface RawMessage {
  raw: Buffer;
  uid?: number;
  uidValidity?: bigint;
}

export type Handled = { outcome: 'done' } | { outcome: 'retry'; reason: string };

export interface IngestionDeps {
  ledger: Ledger;
  activity: ActivityLog;
  senders: SenderRateLimiter;
  log: Logger;
  /** Failed attempts after which a mail is set aside (quarantined) so the mailbox goes on. */
  maxAttempts: number;
  /**
   * How long to wait before looking in Jira for what a crashed attempt created: Jira's search index
   * is eventually consistent, so a just-created issue may not be found at once.
   */
  reconcileAfterMs: number;
  /** Keeps each mail as it came when its ledger row is opened (the admin UI's Raw message, Reprocess). */
  raws?: RawMessages;
}

export interface ProcessOptions {
  /** The admin's Reprocess: look in Jira at once instead of waiting for its index (reconcileAfterMs). */
  reprocess?: boolean;
}

const TEMPORARY = new Set(['JIRA_RATE_LIMITED', 'JIRA_UNAVAILABLE', 'JIRA_UNREACHABLE']);

const originalEml = (raw: Buffer) => ({ filename: 'original.eml', contentType: 'message/rfc822', size: raw.length, content: raw });

export class Ingestion {
  constructor(private readonly d: IngestionDeps) {}

  async process(ctx: IngestContext, msg: RawMessage, options: ProcessOptions = {}): Promise<Handled> {
    const email = await parseEmail(msg.raw);
    const messageKey = email.messageId ?? `sha256:${email.digest}`;
    const opened = await this.d.ledger.open(ctx.tenantId, ctx.source.id, messageKey, {
      messageId: email.messageId,
      ...(msg.uid !== undefined ? { uid: BigInt(msg.uid) } : {}),
      ...(msg.uidValidity !== undefined ? { uidValidity: msg.uidValidity } : {}),
    });
    let { row } = opened;
    if (opened.fresh) await this.d.raws?.save(ctx.tenantId, row.id, msg.raw);
    // Already handled (a re-sync offers mail again): nothing to do, and nothing to log twice.
    if (row.state === 'DONE' || row.state === 'IGNORED' || row.state === 'QUARANTINED') return { outcome: 'done' };
    const record = (outcome: Outcome, extra: { reason?: string; issueKey?: string; details?: Record<string, unknown> } = {}) =>
      this.d.activity.record(ctx.tenantId, { sourceId: ctx.source.id, outcome, messageId: email.messageId, subject: email.subject, sender: email.from?.address, ledgerEntryId: row.id, ...extra });

    const verdict = classify(email, { ownAddresses: ctx.ownAddresses });
    if (verdict.action === 'ignore') {
      const reason = `${verdict.reason}: ${verdict.detail}`;
      await this.d.ledger.ignored(row.id, reason);
      await record('IGNORED', { reason });
      return { outcome: 'done' };
    }
    // Counted once per mail: retries of the same mail are not more mail from its sender.
    if (opened.fresh && email.from && this.d.senders.exceeded(ctx.source.id, email.from.address)) {
      const reason = `RATE_LIMITED: ${email.from.address} sent more mail than a person would in a short time`;
      await this.d.ledger.ignored(row.id, reason);
      await record('IGNORED', { reason });
      return { outcome: 'done' };
    }
    if (!opened.fresh) {
      // An earlier attempt may have reached Jira just before a crash: give Jira's index time to show it.
      if (!options.reprocess && Date.now() - row.updatedAt.getTime() < this.d.reconcileAfterMs) return { outcome: 'retry', reason: 'an earlier attempt is too recent to look it up in Jira yet' };
      row = await this.d.ledger.beginAttempt(row.id);
    }

    try {
      const outcome = await this.apply(ctx, email, messageKey, msg.raw, opened.fresh ? undefined : { issueKey: row.issueKey, commentId: row.commentId });
      await this.d.ledger.done(row.id, outcome);
      await record(outcome.commentId ? 'COMMENT_ADDED' : 'ISSUE_CREATED', { issueKey: outcome.issueKey, ...(outcome.skipped ? { details: { skippedAttachments: outcome.skipped } } : {}) });
      return { outcome: 'done' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof JiraError && TEMPORARY.has(err.code)) {
        await this.d.ledger.failed(row.id, message);
        return { outcome: 'retry', reason: message };
      }
      if (row.attempts >= this.d.maxAttempts) {
        await this.d.ledger.quarantined(row.id, message);
        await record('QUARANTINED', { reason: message });
        this.d.log.warn({ tenantId: ctx.tenantId, sourceId: ctx.source.id, attempts: row.attempts, err: message }, 'mail set aside after repeated failures');
        return { outcome: 'done' };
      }
      await this.d.ledger.failed(row.id, message);
      await record('FAILED', { reason: message });
      return { outcome: 'retry', reason: message };
    }
  }

  /** Creates the issue or comment (or finds the one an earlier attempt created) and its attachments. */
  /**
   * `earlier` is what an earlier attempt left in the ledger (absent on a first attempt): an issue key
   * it recorded is trusted over a search, which Jira's lagging index may not answer yet.
   */
  private async apply(ctx: IngestContext, email: InboundEmail, messageKey: string, raw: Buffer, earlier?: { issueKey: string | null; commentId: string | null }) {
    const mayExist = earlier !== undefined;
    const { jira, source } = ctx;
    const property: MessageProperty = {
      messageKey,
      messageId: email.messageId ?? null,
      sourceId: source.id,
      sender: email.from ? { address: email.from.address, name: email.from.name ?? null } : null,
    };
    let decision = decide(email, { projectKey: source.projectKey, threadIssueKeys: await this.d.ledger.issueKeysFor(ctx.tenantId, threadMessageIds(email)) });
    // A key in a subject may name an issue that was deleted or never existed: then it is a new request.
    if (decision.kind === 'comment' && !(await issueExists(jira, decision.issueKey))) decision = { kind: 'create', summary: summaryOf(email.subject) };

    const files = this.files(email, raw, source);
    const body = decision.kind === 'comment' ? commentBody(email, files.skipped) : issueDescription(email, files.skipped);
    // A body cut to fit Jira says the rest is in original.eml: so it must be there.
    if (body.truncated && !files.kept.some((f) => f.filename === 'original.eml')) files.kept.push(originalEml(raw));
    if (decision.kind === 'comment') {
      const issueKey = decision.issueKey;
      const existing = earlier?.commentId ?? (mayExist ? await findCommentByMessageKey(jira, issueKey, messageKey) : undefined);
      const commentId = existing ?? (await addComment(jira, issueKey, body.doc, property)).id;
      await this.upload(jira, issueKey, files.kept, mayExist);
      return { issueKey, commentId, skipped: files.skipped.length ? files.skipped : undefined };
    }
    const existing = (earlier?.issueKey && !earlier.commentId ? earlier.issueKey : undefined) ?? (mayExist ? await findIssueByMessageKey(jira, source.projectId, messageKey) : undefined);
    const reporter = email.from ? ((await findUserByEmail(jira, email.from.address)) ?? source.defaultReporterAccountId) : source.defaultReporterAccountId;
    const issueKey =
      existing ??
      (
        await createIssue(jira, {
          projectId: source.projectId,
          issueTypeId: source.issueTypeId,
          summary: decision.summary,
          description: body.doc,
          reporterAccountId: reporter ?? undefined,
          property,
        })
      ).key;
    await this.upload(jira, issueKey, files.kept, mayExist);
    if (!existing) await this.addWatchers(jira, issueKey, email);
    return { issueKey, commentId: undefined, skipped: files.skipped.length ? files.skipped : undefined };
  }

  /** The files to attach, within the Message Source's limits; the rest are named in the issue or comment. */
  private files(email: InboundEmail, raw: Buffer, source: SourceSettings) {
    const all = email.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, content: a.content }));
    if (source.keepOriginal) all.push(originalEml(raw));
    const kept: typeof all = [];
    const skipped: { filename: string; size: number; why: 'too large' | 'too many' }[] = [];
    for (const f of all) {
      if (f.size > source.maxAttachmentBytes) skipped.push({ filename: f.filename, size: f.size, why: 'too large' });
      else if (kept.length >= source.maxAttachments) skipped.push({ filename: f.filename, size: f.size, why: 'too many' });
      else kept.push(f);
    }
    return { kept, skipped };
  }

  /** Uploads each file once: after a crash, files already on the issue are not sent again. */
  private async upload(jira: JiraClient, issueKey: string, files: { filename: string; contentType: string; size: number; content: Buffer }[], mayExist: boolean) {
    const present = mayExist && files.length ? await attachmentsOf(jira, issueKey) : [];
    for (const f of files) {
      if (present.some((p) => p.filename === f.filename && p.size === f.size)) continue;
      await attach(jira, issueKey, { filename: f.filename, contentType: f.contentType, content: new Blob([new Uint8Array(f.content)]) });
    }
  }

  /** Cc'd people who are Jira users (and whose email Jira reveals) watch the new issue. */
  private async addWatchers(jira: JiraClient, issueKey: string, email: InboundEmail) {
    for (const cc of email.cc.slice(0, 20)) {
      const accountId = await findUserByEmail(jira, cc.address).catch(() => undefined);
      if (accountId) await addWatcher(jira, issueKey, accountId).catch((err: unknown) => this.d.log.debug({ err: String(err), issueKey }, 'could not add a watcher'));
    }
  }
}

