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
  mediaOf,
  setCommentBody,
  setDescription,
  type MessageProperty,
  type NewIssue,
} from '../jira/issues.js';
import { parseEmail } from '../mail/parse/parse.js';
import type { InboundEmail, PartContent } from '../mail/parse/inbound-email.js';
import { contentBlob, Spool } from '../mail/spool.js';
import type { ActivityOf, Ledger, Transition } from '../store/ledger.js';
import type { Outcome } from '../store/activity.js';
import { classify } from './classify.js';
import { commentBody, issueDescription, type Body, type MediaOf } from './content.js';
import type { AdfDoc, MediaRef } from './adf/index.js';
import { decide, summaryOf, threadMessageIds } from './decide.js';
import type { SenderRateLimiter } from './rate-limit.js';
import { InOrder } from './in-order.js';
import { REPORTER_CACHE_MS, ReporterCache } from './reporters.js';

export interface SourceSettings {
  id: string;
  projectId: string;
  projectKey: string;
  issueTypeId: string;
  defaultReporterAccountId: string | null;
  keepOriginal: boolean;
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** Google Groups or lists whose `Precedence: list` mail is taken in (classify.ts). */
  acceptedLists: string[];
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
  keepRawMessages?: boolean;
  /** How long a sender's Jira account (or that there is none) is remembered; default 10 minutes. */
  reporterCacheMs?: number;
  /** Where large attachments wait, as files, for their upload; without it they are held in memory. */
  spoolDir?: string;
}

export interface ProcessOptions {
  /** The admin's Reprocess: look in Jira at once instead of waiting for its index (reconcileAfterMs). */
  reprocess?: boolean;
}

const TEMPORARY = new Set(['JIRA_RATE_LIMITED', 'JIRA_UNAVAILABLE', 'JIRA_UNREACHABLE']);

/** What relates a mail to earlier ones, so it is not worked on before them (InOrder). */
function orderKeys(email: InboundEmail): string[] {
  const keys = [`message:${email.messageId ?? email.digest}`, ...threadMessageIds(email).map((id) => `message:${id}`)];
  for (const key of email.subject.toUpperCase().match(/[A-Z][A-Z0-9_]+-\d+/g) ?? []) keys.push(`issue:${key}`);
  if (email.from) keys.push(`sender:${email.from.address.toLowerCase()}`);
  return keys;
}

interface FileToAttach {
  filename: string;
  contentType: string;
  size: number;
  content: PartContent;
  /** An inline image's, so that it can be shown where it stood once uploaded. */
  contentId?: string;
}

const originalEml = (raw: Buffer): FileToAttach => ({ filename: 'original.eml', contentType: 'message/rfc822', size: raw.length, content: raw });

export class Ingestion {
  private readonly order = new InOrder();
  private readonly reporters: ReporterCache;

  constructor(private readonly d: IngestionDeps) {
    this.reporters = new ReporterCache(d.reporterCacheMs ?? REPORTER_CACHE_MS);
  }

  /**
   * Call it in the order the mail came: mails of one Message Source may be processed a few at once,
   * and each waits for the earlier ones it is related to (src/ingest/in-order.ts).
   */
  async process(ctx: IngestContext, msg: RawMessage, options: ProcessOptions = {}): Promise<Handled> {
    // Large attachments are decoded into files of the mail's own spool, and uploaded from there.
    const spool = this.d.spoolDir ? new Spool(this.d.spoolDir) : undefined;
    const parsing = parseEmail(msg.raw, spool ? { spool } : {});
    const turn = this.order.enter(ctx.source.id, parsing.then(orderKeys));
    try {
      await turn.ready;
      return await this.processParsed(ctx, msg, await parsing, options);
    } finally {
      turn.finish();
      await spool?.dispose();
    }
  }

  private async processParsed(ctx: IngestContext, msg: RawMessage, email: InboundEmail, options: ProcessOptions): Promise<Handled> {
    const messageKey = email.messageId ?? `sha256:${email.digest}`;
    const opened = await this.d.ledger.open(ctx.tenantId, ctx.source.id, messageKey, {
      messageId: email.messageId,
      ...(msg.uid !== undefined ? { uid: BigInt(msg.uid) } : {}),
      ...(msg.uidValidity !== undefined ? { uidValidity: msg.uidValidity } : {}),
      raw: this.d.keepRawMessages ? msg.raw : undefined,
    });
    let { row } = opened;
    // Already handled (a re-sync offers mail again): nothing to do, and nothing to log twice.
    if (row.state === 'DONE' || row.state === 'IGNORED' || row.state === 'QUARANTINED') return { outcome: 'done' };
    const activity = (outcome: Outcome, extra: { reason?: string; issueKey?: string; details?: Record<string, unknown> } = {}): ActivityOf => ({
      outcome,
      messageId: email.messageId,
      subject: email.subject,
      sender: email.from?.address,
      ...extra,
    });
    const move = (t: Transition, a?: ActivityOf) => this.d.ledger.transition(ctx.tenantId, row.id, t, a);

    const verdict = classify(email, { ownAddresses: ctx.ownAddresses, acceptedLists: ctx.source.acceptedLists });
    if (verdict.action === 'ignore') {
      const reason = `${verdict.reason}: ${verdict.detail}`;
      await move({ state: 'IGNORED', error: reason }, activity('IGNORED', { reason }));
      return { outcome: 'done' };
    }
    // Counted once per mail: retries of the same mail are not more mail from its sender.
    if (opened.fresh && email.from && this.d.senders.exceeded(ctx.source.id, email.from.address)) {
      const reason = `RATE_LIMITED: ${email.from.address} sent more mail than a person would in a short time`;
      await move({ state: 'IGNORED', error: reason }, activity('IGNORED', { reason }));
      return { outcome: 'done' };
    }
    if (!opened.fresh) {
      // An earlier attempt may have reached Jira just before a crash: give Jira's index time to show it.
      if (!options.reprocess && Date.now() - row.updatedAt.getTime() < this.d.reconcileAfterMs) return { outcome: 'retry', reason: 'an earlier attempt is too recent to look it up in Jira yet' };
      row = await this.d.ledger.beginAttempt(row.id);
    }

    try {
      const outcome = await this.apply(ctx, email, messageKey, msg.raw, opened.fresh ? undefined : { issueKey: row.issueKey, commentId: row.commentId });
      await move(
        { state: 'DONE', issueKey: outcome.issueKey, commentId: outcome.commentId },
        activity(outcome.commentId ? 'COMMENT_ADDED' : 'ISSUE_CREATED', { issueKey: outcome.issueKey, ...(outcome.skipped ? { details: { skippedAttachments: outcome.skipped } } : {}) }),
      );
      return { outcome: 'done' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof JiraError && TEMPORARY.has(err.code)) {
        await move({ state: 'FAILED', error: message });
        return { outcome: 'retry', reason: message };
      }
      if (row.attempts >= this.d.maxAttempts) {
        await move({ state: 'QUARANTINED', error: message }, activity('QUARANTINED', { reason: message }));
        this.d.log.warn({ tenantId: ctx.tenantId, sourceId: ctx.source.id, attempts: row.attempts, err: message }, 'mail set aside after repeated failures');
        return { outcome: 'done' };
      }
      await move({ state: 'FAILED', error: message }, activity('FAILED', { reason: message }));
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
      const uploaded = await this.upload(jira, issueKey, files.kept, mayExist);
      await this.showImages(jira, issueKey, body, uploaded, (media) => commentBody(email, files.skipped, media), (doc) => setCommentBody(jira, issueKey, commentId, doc));
      return { issueKey, commentId, skipped: files.skipped.length ? files.skipped : undefined };
    }
    const existing = (earlier?.issueKey && !earlier.commentId ? earlier.issueKey : undefined) ?? (mayExist ? await findIssueByMessageKey(jira, source.projectId, messageKey) : undefined);
    const reporter = (email.from ? await this.reporters.lookup(ctx.tenantId, email.from.address, (address) => findUserByEmail(jira, address)) : undefined) ?? source.defaultReporterAccountId;
    const issueKey = existing ?? (await this.create(jira, { projectId: source.projectId, issueTypeId: source.issueTypeId, summary: decision.summary, description: body.doc, reporterAccountId: reporter ?? undefined, property }));
    const uploaded = await this.upload(jira, issueKey, files.kept, mayExist);
    await this.showImages(jira, issueKey, body, uploaded, (media) => issueDescription(email, files.skipped, media), (doc) => setDescription(jira, issueKey, doc));
    if (!existing) await this.addWatchers(jira, issueKey, email);
    return { issueKey, commentId: undefined, skipped: files.skipped.length ? files.skipped : undefined };
  }

  /**
   * Creates the issue. A reporter Jira refuses (deactivated or deleted since it was chosen, or an app
   * without the Modify Reporter permission) must not hold every mail of the source up: the issue is
   * then created without one (Jira makes the app its reporter); the sender stays on the issue's property.
   */
  private async create(jira: JiraClient, issue: NewIssue): Promise<string> {
    try {
      return (await createIssue(jira, issue)).key;
    } catch (err) {
      if (!(issue.reporterAccountId && err instanceof JiraError && err.code === 'JIRA_REJECTED' && 'reporter' in err.errors)) throw err;
      this.d.log.warn({ reporter: issue.reporterAccountId, err: err.message }, 'Jira refused the reporter; the issue is created without one');
      return (await createIssue(jira, { ...issue, reporterAccountId: undefined })).key;
    }
  }

  /** The files to attach, within the Message Source's limits; the rest are named in the issue or comment. */
  private files(email: InboundEmail, raw: Buffer, source: SourceSettings) {
    const all: FileToAttach[] = email.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, content: a.content, ...(a.contentId ? { contentId: a.contentId } : {}) }));
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

  /**
   * Uploads each file once: after a crash, files already on the issue are not sent again. Returns the
   * Jira attachment of each inline image, by its Content-ID.
   */
  private async upload(jira: JiraClient, issueKey: string, files: FileToAttach[], mayExist: boolean): Promise<Map<string, string>> {
    const present = mayExist && files.length ? await attachmentsOf(jira, issueKey) : [];
    const images = new Map<string, string>();
    for (const f of files) {
      const found = present.find((p) => p.filename === f.filename && p.size === f.size);
      const attachment = found ?? (await attach(jira, issueKey, { filename: f.filename, contentType: f.contentType, content: await contentBlob(f.content, f.contentType) }))[0];
      if (f.contentId && attachment) images.set(f.contentId, attachment.id);
    }
    return images;
  }

  /**
   * Puts each inline image where it stood, once its attachment is uploaded: Jira shows an image only
   * by its media file id, which it tells only through the attachment's download redirect. The issue
   * or comment is already there with "[image: name]" in its place; when the media file cannot be
   * learned, that is how it stays, and the mail is done all the same.
   */
  private async showImages(jira: JiraClient, issueKey: string, body: Body, uploaded: Map<string, string>, render: (media: MediaOf) => Body, save: (doc: AdfDoc) => Promise<void>) {
    if (!body.images.length || !uploaded.size) return;
    try {
      const media = new Map<string, MediaRef>();
      for (const cid of new Set(body.images)) {
        const attachmentId = uploaded.get(cid) ?? [...uploaded].find(([k]) => k.toLowerCase() === cid.toLowerCase())?.[1];
        const ref = attachmentId ? await mediaOf(jira, attachmentId) : undefined;
        if (ref) media.set(cid, ref);
      }
      if (media.size) await save(render((cid) => media.get(cid)).doc);
    } catch (err) {
      this.d.log.warn({ err: err instanceof Error ? err.message : String(err), issueKey }, 'inline images stay as "[image: name]": their media files could not be shown');
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

