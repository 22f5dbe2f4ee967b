// Runs every message of three corpora written by others (they are not part of the project; they lie
// at ../shared/corpora) through parseEmail and classify, so that CI notices when a rule stops
// recognising a bounce, starts ignoring ordinary mail, or a malformed message makes the parser throw.
//   npx tsx dev/check-corpora.ts [corpora-dir, default ../shared/corpora]
// Prints per folder counts, every miss with its file name and why, and exits 1 on any miss.
//   npx tsx dev/check-corpora.ts --pipeline [corpora-dir]
// Goes further (about a minute): every message through the real Ingestion.process against a real
// PostgreSQL and the Jira emulator (dev/stack.ts), which must end every one as done (an issue, a
// comment, ignored or set aside) without throwing; then the malformed ones through a real Dovecot and
// the mailbox worker in one sweep, which must reach the last UID (no mailbox stalls on them).
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { classify, type Classification } from '../src/ingest/classify.js';
import type { IngestContext } from '../src/ingest/pipeline.js';
import { contextFor } from '../src/ingest/context.js';
import type { InboundEmail } from '../src/mail/parse/inbound-email.js';
import { parseEmail } from '../src/mail/parse/parse.js';
import { checkpointStore } from '../src/store/checkpoints.js';
import { addMessageSource, authorizeAccount, startStack, until, type Stack } from './stack.js';

// Our own Message Outbound address in these checks; no corpus message is from it.
const CONTEXT = { ownAddresses: ['support@mailbridge.invalid'] };

/**
 * Corpus labels we disagree with on purpose, and why. They are printed on every run, and the check
 * fails when one of them stops disagreeing, so that the list stays exact; any other miss fails it.
 */
const KNOWN_DISAGREEMENTS: Record<string, string> = {
  'bounces-and-autoreplies/lhost-sendmail-14.eml':
    'a person forwarding a bounce with words of their own ("Forward the message.") from their own mail client: a person writing to support, so it becomes an issue',
  'not-bounces/rb-issue-368-bug.eml':
    'a real bounce (Return-Path: <>, Auto-Submitted: auto-replied, From postmaster@, "automatic bounce notification"), filed in sisimai\'s not/ folder from their issue 368; answering it would break RFC 3834',
};

interface Outcome {
  file: string;
  email?: InboundEmail;
  decision?: Classification;
  error?: string;
}

interface Miss {
  file: string;
  why: string;
}

interface Report {
  summary: string;
  misses: Miss[];
  files: number;
  millis: number;
}

async function run(dir: string, pick: (name: string) => boolean): Promise<{ outcomes: Outcome[]; millis: number }> {
  const names = (await fs.readdir(dir)).filter(pick).sort();
  const outcomes: Outcome[] = [];
  let millis = 0;
  for (const file of names) {
    const raw = await fs.readFile(path.join(dir, file));
    const started = performance.now();
    try {
      const email = await parseEmail(raw);
      outcomes.push({ file, email, decision: classify(email, CONTEXT) });
    } catch (err) {
      outcomes.push({ file, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
    millis += performance.now() - started;
  }
  return { outcomes, millis };
}

/** Every one is a bounce, an auto-reply or a feedback report: every one must be ignored. */
async function bouncesAndAutoreplies(dir: string): Promise<Report> {
  const { outcomes, millis } = await run(dir, (n) => n.endsWith('.eml'));
  const byReason = new Map<string, number>();
  const misses: Miss[] = [];
  for (const o of outcomes) {
    if (o.decision?.action === 'ignore') byReason.set(o.decision.reason, (byReason.get(o.decision.reason) ?? 0) + 1);
    else misses.push({ file: o.file, why: o.error ?? `processed (From ${o.email?.headers.from ?? 'none'}, Subject ${JSON.stringify(o.email?.subject)})` });
  }
  const reasons = [...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ');
  return { summary: `${outcomes.length - misses.length}/${outcomes.length} ignored (${reasons})`, misses, files: outcomes.length, millis };
}

/** Ordinary messages that look a little like bounces: every one must be processed. */
async function notBounces(dir: string): Promise<Report> {
  const { outcomes, millis } = await run(dir, () => true);
  const misses = outcomes
    .filter((o) => o.decision?.action !== 'process')
    .map((o) => ({ file: o.file, why: o.error ?? (o.decision?.action === 'ignore' ? `ignored as ${o.decision.reason} (${o.decision.detail})` : '') }));
  return { summary: `${outcomes.length - misses.length}/${outcomes.length} processed`, misses, files: outcomes.length, millis };
}

/** Malformed MIME: every one must parse without throwing; where the corpus has an expected parse tree, subject and From must agree. */
async function malformedMime(dir: string): Promise<Report> {
  const { outcomes, millis } = await run(dir, (n) => n.endsWith('.eml'));
  const misses: Miss[] = [];
  let compared = 0;
  for (const o of outcomes) {
    if (!o.email) {
      misses.push({ file: o.file, why: `threw ${o.error}` });
      continue;
    }
    const expected = await expectedTree(path.join(dir, o.file.replace(/\.eml$/, '.json')));
    if (!expected) continue;
    compared++;
    const disagreement = compareWithTree(o.email, expected);
    if (disagreement) misses.push({ file: o.file, why: disagreement });
  }
  const parsed = outcomes.filter((o) => o.email).length;
  const trees = compared ? `, ${compared} compared with their expected parse tree` : ', no expected parse trees (.json) found';
  return { summary: `${parsed}/${outcomes.length} parsed${trees}`, misses, files: outcomes.length, millis };
}

interface ExpectedHeader {
  name: string;
  value: { Text?: string; Address?: { addresses?: { address?: string }[] }[] };
}

async function expectedTree(file: string): Promise<ExpectedHeader[] | undefined> {
  try {
    const tree = JSON.parse(await fs.readFile(file, 'utf8')) as { parts?: { headers?: ExpectedHeader[] }[] };
    return tree.parts?.[0]?.headers ?? [];
  } catch {
    return undefined;
  }
}

/** Only what is cheap and parser-independent: the subject, and the first From address. */
function compareWithTree(email: InboundEmail, headers: ExpectedHeader[]): string | undefined {
  const subject = headers.find((h) => h.name === 'subject')?.value.Text;
  if (subject !== undefined && subject.trim() !== email.subject.trim()) return `subject ${JSON.stringify(email.subject)}, expected ${JSON.stringify(subject)}`;
  const from = headers.find((h) => h.name === 'from')?.value.Address?.[0]?.addresses?.[0]?.address;
  if (from !== undefined && from.toLowerCase() !== email.from?.address) return `From ${email.from?.address ?? 'none'}, expected ${from}`;
  return undefined;
}

async function main(root: string) {
  const folders: [string, (dir: string) => Promise<Report>][] = [
    ['bounces-and-autoreplies', bouncesAndAutoreplies],
    ['not-bounces', notBounces],
    ['malformed-mime', malformedMime],
  ];
  let failed = false;
  let files = 0;
  let millis = 0;
  for (const [name, check] of folders) {
    const report = await check(path.join(root, name));
    console.log(`${name}: ${report.summary}`);
    const missed = new Set(report.misses.map((m) => m.file));
    for (const miss of report.misses) {
      const known = KNOWN_DISAGREEMENTS[`${name}/${miss.file}`];
      console.log(known ? `  KNOWN ${miss.file}: ${miss.why}; we disagree: ${known}` : `  MISS ${miss.file}: ${miss.why}`);
      failed ||= !known;
    }
    for (const key of Object.keys(KNOWN_DISAGREEMENTS).filter((k) => k.startsWith(`${name}/`))) {
      const file = key.slice(name.length + 1);
      if (!missed.has(file)) console.log(`  STALE ${file} is listed as a known disagreement but now agrees with the corpus (or is gone)`);
      failed ||= !missed.has(file);
    }
    failed ||= report.files === 0;
    files += report.files;
    millis += report.millis;
  }
  console.log(`${files} files in ${millis.toFixed(0)} ms of parse+classify (${Math.round((files * 1000) / millis)} files/s)`);
  process.exitCode = failed ? 1 : 0;
}


// ---- --pipeline: the real ingestion, then a real mailbox ----

/** What each folder's messages must become: the same expectations as above, through the whole pipeline. */
const EXPECTED: Record<string, (outcome: string) => boolean> = {
  'bounces-and-autoreplies': (o) => o === 'IGNORED',
  'not-bounces': (o) => o === 'ISSUE_CREATED' || o === 'COMMENT_ADDED',
  // Malformed mail may become anything but must not throw or stall: every outcome that is 'done' will do.
  'malformed-mime': () => true,
};

interface Handled {
  file: string;
  /** ISSUE_CREATED, COMMENT_ADDED, IGNORED or QUARANTINED; THREW or RETRY when it did not end as done. */
  outcome: string;
  detail: string;
}

/** Attempts per message: the ingestion sets a message aside after 5 failed ones, so this is enough. */
const MAX_TRIES = 8;

async function pipelineMain(root: string) {
  const started = performance.now();
  const stack = await startStack({
    logLevel: 'silent',
    // A retried message is looked up in Jira at once: the emulator's search index has no lag.
    env: { RECONCILE_AFTER_SECONDS: '0' },
  });
  let failed = false;
  try {
    for (const folder of Object.keys(EXPECTED)) failed = (await pipelineFolder(stack, root, folder)) || failed;
    failed = (await mailboxSweep(stack, path.join(root, 'malformed-mime'))) || failed;
  } finally {
    await stack.stop();
  }
  console.log(`pipeline check took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = failed ? 1 : 0;
}

/** Every file of one folder through Ingestion.process; true when something failed. */
async function pipelineFolder(stack: Stack, root: string, folder: string): Promise<boolean> {
  const dir = path.join(root, folder);
  const names = (await fs.readdir(dir)).filter((n) => folder === 'not-bounces' || n.endsWith('.eml')).sort();
  const lanes = new Lanes(stack, folder);
  const results: Handled[] = [];
  for (const file of names) results.push(await ingestFile(stack, lanes, file, await fs.readFile(path.join(dir, file))));
  const misses = pipelineMisses(folder, results);
  await reportFolder(stack, folder, results, misses, lanes);
  return misses.length > 0 || results.length === 0;
}

const unfinished = (r: Handled) => r.outcome === 'THREW' || r.outcome === 'RETRY';

/** What did not end as done, ended otherwise than expected, or agrees now where we listed a disagreement. */
function pipelineMisses(folder: string, results: Handled[]): (Handled & { stale?: true })[] {
  const known = (r: Handled) => Boolean(KNOWN_DISAGREEMENTS[`${folder}/${r.file}`]);
  const expected = EXPECTED[folder]!;
  return [
    ...results.filter((r) => unfinished(r) || (!expected(r.outcome) && !known(r))),
    ...results.filter((r) => known(r) && expected(r.outcome)).map((r) => ({ ...r, stale: true as const })),
  ];
}

async function reportFolder(stack: Stack, folder: string, results: Handled[], misses: (Handled & { stale?: true })[], lanes: Lanes): Promise<void> {
  const done = results.filter((r) => !unfinished(r)).length;
  console.log(`${folder}: ${done}/${results.length} handled (${outcomeCounts(folder, results)})${misses.length ? `, ${misses.length} MISS` : ''}`);
  console.log(`  Activity rows: ${await activityCounts(stack, lanes.ids())}`);
  if (lanes.repeats.length) console.log(`  ${repeatsNote(lanes.repeats)}; each went to a Message Source of its own (${lanes.count()} in all), as one source's ledger takes a repeated key for the same mail`);
  for (const r of results.filter((x) => x.outcome === 'QUARANTINED')) console.log(`  QUARANTINED ${r.file}: ${r.detail}`);
  for (const m of misses) {
    console.log(m.stale ? `  STALE ${m.file} is listed as a known disagreement but the pipeline made it ${m.outcome}` : `  MISS ${m.file}: ${m.outcome} ${m.detail}`);
  }
}

/** "2 files have the message key of an earlier file (a.eml as b.eml, ...)": named when they are few. */
function repeatsNote(repeats: [string, string][]): string {
  const named = repeats.length <= 5 ? ` (${repeats.map(([file, earlier]) => `${file} as ${earlier}`).join(', ')})` : '';
  return `${repeats.length} file${repeats.length === 1 ? ' has' : 's have'} the Message-ID (or, without one, the bytes) of an earlier file${named}`;
}

/** "IGNORED 628, ISSUE_CREATED 1 known: lhost-sendmail-14.eml", biggest first. */
function outcomeCounts(folder: string, results: Handled[]): string {
  const by = new Map<string, Handled[]>();
  for (const r of results) by.set(r.outcome, [...(by.get(r.outcome) ?? []), r]);
  return [...by]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([outcome, rs]) => {
      const known = rs.filter((r) => KNOWN_DISAGREEMENTS[`${folder}/${r.file}`]).map((r) => r.file);
      return `${outcome} ${rs.length}${known.length ? ` known: ${known.join(', ')}` : ''}`;
    })
    .join(', ');
}

async function activityCounts(stack: Stack, sourceIds: string[]): Promise<string> {
  const rows = await stack.db.activity.groupBy({ by: ['outcome'], where: { sourceId: { in: sourceIds } }, _count: { _all: true } });
  return rows.map((r) => `${r.outcome} ${r._count._all}`).join(', ') || 'none';
}

/**
 * Message Sources for one folder. The corpus has different files with the same Message-ID (sisimai
 * builds many from one template); the ledger of one source would take the second for the first mail
 * again, so the n-th file with a given Message-ID goes to the n-th source and each gets a real outcome.
 */
class Lanes {
  private readonly sources: { id: string; ctx: IngestContext }[] = [];
  /** The files seen so far per message key. */
  private readonly seen = new Map<string, string[]>();
  private credentialId: string | undefined;
  /** Each file whose message key an earlier file had, with that earlier file. */
  readonly repeats: [string, string][] = [];

  constructor(
    private readonly stack: Stack,
    private readonly folder: string,
  ) {}

  async forKey(messageKey: string, file: string): Promise<{ id: string; ctx: IngestContext }> {
    const files = this.seen.get(messageKey) ?? [];
    const n = files.length;
    if (n > 0) this.repeats.push([file, files[0]!]);
    this.seen.set(messageKey, [...files, file]);
    while (this.sources.length <= n) this.sources.push(await this.create(this.sources.length));
    return this.sources[n]!;
  }

  ids = () => this.sources.map((s) => s.id);
  count = () => this.sources.length;

  private async create(lane: number): Promise<{ id: string; ctx: IngestContext }> {
    const account = `corpus-${this.folder}@acme.example`;
    this.credentialId ??= await authorizeAccount(this.stack, account);
    // Disabled: no worker watches it; its mail is handed to the ingestion here, as the worker would.
    const { sourceId } = await addMessageSource(this.stack, { account, name: `${this.folder} ${lane + 1}`, credentialId: this.credentialId, fields: { enabled: false } });
    return { id: sourceId, ctx: await ingestContext(this.stack, sourceId) };
  }
}

/** The context the mailbox worker builds for a source: the same function (src/ingest/context.ts). */
function ingestContext(stack: Stack, sourceId: string): Promise<IngestContext> {
  const { services, db, tenantId } = stack;
  return contextFor(
    { db, sources: services.sources, jiraFor: (tenant) => services.jiraFor(tenant, services.background), tenantById: (id) => services.tenants.findById(id) },
    tenantId,
    sourceId,
  );
}

/** One file through Ingestion.process until it is done, as the watcher would offer it again on 'retry'. */
async function ingestFile(stack: Stack, lanes: Lanes, file: string, raw: Buffer): Promise<Handled> {
  try {
    const messageKey = await messageKeyOf(raw);
    const { id, ctx } = await lanes.forKey(messageKey, file);
    let last = '';
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      const handled = await stack.services.ingestion.process(ctx, { raw });
      if (handled.outcome === 'done') return await outcomeOf(stack, id, messageKey, file);
      last = handled.reason;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { file, outcome: 'RETRY', detail: `still 'retry' after ${MAX_TRIES} attempts: ${last}` };
  } catch (err) {
    return { file, outcome: 'THREW', detail: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

/** What the ledger knows a message by (as Ingestion.process computes it). */
async function messageKeyOf(raw: Buffer): Promise<string> {
  const email = await parseEmail(raw);
  return email.messageId ?? `sha256:${email.digest}`;
}

/** The ledger's word on a message that is done. */
async function outcomeOf(stack: Stack, sourceId: string, messageKey: string, file: string): Promise<Handled> {
  const row = await stack.db.ledgerEntry.findUnique({ where: { sourceId_messageKey: { sourceId, messageKey } }, select: { state: true, issueKey: true, commentId: true, lastError: true } });
  if (!row) return { file, outcome: 'THREW', detail: 'process() answered done but left no ledger row' };
  const outcome = row.state === 'DONE' ? (row.commentId ? 'COMMENT_ADDED' : 'ISSUE_CREATED') : row.state;
  return { file, outcome, detail: row.state === 'DONE' ? (row.issueKey ?? '') : (row.lastError ?? '') };
}

/**
 * The malformed messages as a mailbox would hold them: all APPENDed to one INBOX while no worker runs,
 * then the worker started; it must get past every one (its checkpoint reaches the last UID).
 * True when it did not.
 */
async function mailboxSweep(stack: Stack, dir: string): Promise<boolean> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.eml')).sort();
  const account = 'corpus-sweep@acme.example';
  const { sourceId } = await addMessageSource(stack, { account, name: 'malformed-mime sweep' });
  const { lastUid, repeats } = await appendAll(stack, account, dir, names);
  const checkpoints = checkpointStore(stack.db, stack.tenantId, sourceId);
  const started = performance.now();
  await stack.startWorker();
  try {
    await until(async () => ((await checkpoints.load())?.lastUid ?? 0n) >= BigInt(lastUid), `the checkpoint reaches UID ${lastUid}`, 120_000, 10);
  } catch {
    const at = (await checkpoints.load())?.lastUid ?? 0n;
    console.log(`malformed-mime through Dovecot and the worker: STALLED at UID ${at} of ${lastUid} (watcher ${stack.worker?.states().get(sourceId)})`);
    return true;
  } finally {
    await stack.stopWorker();
  }
  const millis = performance.now() - started;
  const ledger = await stack.db.ledgerEntry.groupBy({ by: ['state'], where: { sourceId }, _count: { _all: true } });
  const unfinished = ledger.filter((r) => r.state === 'PENDING' || r.state === 'FAILED');
  console.log(
    `malformed-mime through Dovecot and the worker: ${names.length} mails APPENDed to one INBOX; the checkpoint reached the last UID (${lastUid}) ` +
      `${(millis / 1000).toFixed(2)} s after the worker started; no mailbox stall`,
  );
  console.log(`  ledger: ${ledger.map((r) => `${r.state} ${r._count._all}`).join(', ')}; Activity rows: ${await activityCounts(stack, [sourceId])}`);
  if (repeats.length) console.log(`  ${repeatsNote(repeats)}: in one mailbox the ledger takes it for that mail, so it has no row of its own`);
  for (const r of unfinished) console.log(`  UNFINISHED ${r._count._all} ledger row(s) ${r.state}`);
  return unfinished.length > 0;
}

/** APPENDs the files in order; a file Dovecot refuses is reported (no mailbox could hold it). */
async function appendAll(stack: Stack, account: string, dir: string, names: string[]): Promise<{ lastUid: number; repeats: [string, string][] }> {
  let lastUid = 0;
  const firstWithKey = new Map<string, string>();
  const repeats: [string, string][] = [];
  for (const file of names) {
    const raw = await fs.readFile(path.join(dir, file));
    const appended = await stack.dovecot!.append(account, raw).catch((err: unknown) => {
      console.log(`  NOTE Dovecot refused to APPEND ${file} (${err instanceof Error ? err.message : String(err)}); no mailbox can hold it`);
      return undefined;
    });
    if (!appended) continue;
    lastUid = Math.max(lastUid, appended.uid ?? 0);
    const key = await messageKeyOf(raw);
    const earlier = firstWithKey.get(key);
    if (earlier) repeats.push([file, earlier]);
    else firstWithKey.set(key, file);
  }
  return { lastUid, repeats };
}

const args = process.argv.slice(2);
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? '../shared/corpora');
if (args.includes('--pipeline')) await pipelineMain(root);
else await main(root);
