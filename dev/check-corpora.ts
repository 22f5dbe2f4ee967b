// Runs every message of three corpora written by others (they are not part of the project; they lie
// at ../shared/corpora) through parseEmail and classify, so that CI notices when a rule stops
// recognising a bounce, starts ignoring ordinary mail, or a malformed message makes the parser throw.
//   npx tsx dev/check-corpora.ts [corpora-dir, default ../shared/corpora]
// Prints per folder counts, every miss with its file name and why, and exits 1 on any miss.
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { classify, type Classification } from '../src/ingest/classify.js';
import type { InboundEmail } from '../src/mail/parse/inbound-email.js';
import { parseEmail } from '../src/mail/parse/parse.js';

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

async function main() {
  const root = path.resolve(process.argv[2] ?? '../shared/corpora');
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

await main();
