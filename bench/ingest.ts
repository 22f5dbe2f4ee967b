// How fast mail becomes Jira issues on this machine, end to end through the real pieces: Dovecot,
// the mailbox worker, the ingestion, PostgreSQL and the Jira emulator (dev/stack.ts). It prints
// figures and asserts nothing: the machine is shared and noisy, so a benchmark is not a timed test.
//   npm run bench            (about 7 minutes)
//   npm run bench -- --quick (a smaller run, to try a change; its figures are not for the README)
// a. APPEND → issue created: 200 mails one at a time with the watcher in IDLE, then 80 mails at
//    random moments with it polling every 30 s (a proxy hides IDLE from it).
// b. Draining a backlog of 2,000 mails: one mailbox with the default mails in flight, the same one mail
//    at a time, and two mailboxes in parallel (twice, alternating); then a Jira that answers in 50 ms,
//    both ways. Below the target a profiled drain says where a mail's time goes.
import { performance } from 'node:perf_hooks';
import type { ImapFlow } from 'imapflow';
import { addMessageSource, startStack, until, type InstalledSite, type Stack } from '../dev/stack.js';
import { append, connect, ExistsLog, noIdleProxy } from './imap.js';
import { IssueClock } from './issues.js';
import { cpuBetween, cpuByProcess, cpuTimes, inotifyInstances, loadAverage, machine } from './machine.js';
import { benchMail, type BenchMail } from './mails.js';
import { mean, median, ms, percentile, table } from './stats.js';
import { profiledWorker, StageTimer } from './profile.js';
import { CpuProfile } from './cpu.js';
import { parseEmail } from '../src/mail/parse/parse.js';

const QUICK = process.argv.includes('--quick');
const PLAN = QUICK
  ? { idleMails: 20, pollMails: 6, pollIntervalMs: 5_000, pollWindows: 2, backlog: 300, slowJiraMails: 40, profileMails: 200, warmup: 100, rounds: 1 }
  : { idleMails: 200, pollMails: 80, pollIntervalMs: 30_000, pollWindows: 4, backlog: 2_000, slowJiraMails: 200, profileMails: 500, warmup: 500, rounds: 2 };
const TARGET_MEDIAN_MS = 1_000;
const TARGET_RATE = 100;
const SLOW_JIRA_MS = 50;
const IDLE_WARMUP = 3;

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const say = (line: string) => console.log(line);

interface Latency {
  total: number[];
  append: number[];
  announce: number[];
  afterAnnounce: number[];
  slowest: { index: number; ms: number };
}

interface Drain {
  label: string;
  mails: number;
  mailboxes: number;
  appendMs: number;
  firstIssueMs: number;
  allIssuesMs: number;
  rate: number;
  /** Mails per second in each fifth of the drain (by creation order): warming up, steady, or slowing. */
  fifths: number[];
  /** Shares of the machine's CPU time (all cores) over the drain, by process group. */
  cpu: [string, number][];
}

let sources = 0;

/** A new mailbox with a ready Message Source; the account is new, so its INBOX is empty. */
async function mailbox(stack: Stack, label: string, at: InstalledSite = stack) {
  const account = `${label}-${++sources}@acme.example`;
  const { sourceId, credentialId } = await addMessageSource(stack, { account, name: account }, at);
  return { account, sourceId, credentialId, tenantId: at.tenantId };
}

const stateOf = (stack: Stack, sourceId: string) => stack.worker?.states().get(sourceId);

// ---- a. APPEND → issue ----

async function idleLatency(stack: Stack, clock: IssueClock, told: ExistsLog): Promise<Latency> {
  const box = await mailbox(stack, 'idle');
  await stack.startWorker();
  await until(() => stateOf(stack, box.sourceId) === 'idle', 'the watcher IDLEs');
  const appender = await connect(stack, box.account, box.credentialId);
  const out: Latency = { total: [], append: [], announce: [], afterAnnounce: [], slowest: { index: -1, ms: 0 } };
  try {
    // The first mails pay for compiling queries and warming the JIT: sent, not counted.
    for (let i = 0; i < IDLE_WARMUP + PLAN.idleMails; i++) {
      const one = await idleOne(stack, box.sourceId, appender, clock, told, i);
      if (i < IDLE_WARMUP) continue;
      out.total.push(one.created - one.sent);
      out.append.push(one.acked - one.sent);
      out.announce.push(one.announced - one.sent);
      out.afterAnnounce.push(one.created - one.announced);
      if (one.created - one.sent > out.slowest.ms) out.slowest = { index: i - IDLE_WARMUP, ms: one.created - one.sent };
    }
  } finally {
    await appender.logout();
  }
  return out;
}

/** One mail APPENDed while the watcher IDLEs; the i-th into a new mailbox. */
async function idleOne(stack: Stack, sourceId: string, appender: ImapFlow, clock: IssueClock, told: ExistsLog, i: number) {
  // Back in IDLE, and a moment more so the IDLE command has surely reached Dovecot.
  await until(() => stateOf(stack, sourceId) === 'idle', 'the watcher IDLEs again', 10_000, 2);
  await sleep(50 + Math.random() * 100);
  const mail = benchMail('idle', i);
  told.clear();
  const sent = performance.now();
  await append(appender, mail.raw);
  const acked = performance.now();
  const created = await clock.created(mail.messageId, 15_000);
  // After this mail the mailbox holds i + 1; the watcher's is the one connection that has it open.
  const announced = await told.after(i, sent);
  return { sent, acked, announced, created };
}

/**
 * Polling makes a mail wait for the next poll, so where in the interval it arrives is what counts:
 * the mails are APPENDed at random moments over a few intervals, not each right after the last issue
 * (that would always land just after a poll and wait a whole interval).
 */
async function pollLatency(stack: Stack, clock: IssueClock): Promise<number[]> {
  const box = await mailbox(stack, 'poll');
  const dovecot = stack.dovecot!;
  const proxy = await noIdleProxy({ host: dovecot.host, port: dovecot.imapPort });
  await stack.startWorker({ imap: { host: proxy.host, port: proxy.port, tls: false }, pollIntervalMs: PLAN.pollIntervalMs });
  const appender = await connect(stack, box.account, box.credentialId);
  try {
    await until(() => stateOf(stack, box.sourceId) === 'polling', 'the watcher polls (the proxy hides IDLE)');
    const windowMs = PLAN.pollIntervalMs * PLAN.pollWindows;
    const offsets = Array.from({ length: PLAN.pollMails }, () => Math.random() * windowMs).sort((a, b) => a - b);
    const start = performance.now();
    const waits: Promise<number>[] = [];
    for (const [i, offset] of offsets.entries()) {
      await sleep(Math.max(0, start + offset - performance.now()));
      const mail = benchMail('poll', i);
      const sent = performance.now();
      await append(appender, mail.raw);
      waits.push(clock.created(mail.messageId, windowMs + 2 * PLAN.pollIntervalMs).then((created) => created - sent));
    }
    return await Promise.all(waits);
  } finally {
    await appender.logout();
    await stack.stopWorker();
    await proxy.close();
  }
}

// ---- b. backlog ----

/** Fills each mailbox with its share of the backlog while no worker runs; returns the mails. */
async function fill(stack: Stack, boxes: { account: string; credentialId: string; tenantId: string }[], total: number, run: string): Promise<BenchMail[]> {
  const all: BenchMail[] = [];
  await Promise.all(
    boxes.map(async (box, k) => {
      const client = await connect(stack, box.account, box.credentialId, box.tenantId);
      try {
        for (let i = k; i < total; i += boxes.length) {
          const mail = benchMail(run, i);
          await append(client, mail.raw);
          all.push(mail);
        }
      } finally {
        await client.logout();
      }
    }),
  );
  return all;
}

interface DrainOptions {
  label: string;
  mails: number;
  mailboxes: number;
  /** The tenant whose mailboxes they are (default the stack's first site). */
  at?: InstalledSite;
  /** Starts the worker (default stack.startWorker()) ... */
  worker?: () => Promise<unknown>;
  /** ... and, for a worker of its own, stops it once every issue exists. */
  drained?: () => Promise<unknown>;
}

async function backlog(stack: Stack, clock: IssueClock, o: DrainOptions): Promise<Drain> {
  await stack.stopWorker();
  const boxes = [];
  for (let k = 0; k < o.mailboxes; k++) boxes.push(await mailbox(stack, 'backlog', o.at));
  const filling = performance.now();
  const mails = await fill(stack, boxes, o.mails, `backlog${sources}`);
  const appendMs = performance.now() - filling;
  const ids = mails.map((m) => m.messageId);

  const cpu = await cpuSnapshot(stack);
  const started = performance.now();
  await (o.worker ? o.worker() : stack.startWorker());
  await clock.all(ids, 15 * 60_000);
  const times = ids.map((id) => clock.createdAt.get(id)!);
  const last = Math.max(...times);
  const used = await cpu.since();
  await o.drained?.();
  await stack.stopWorker();
  const wall = last - started;
  return {
    label: o.label,
    mails: o.mails,
    mailboxes: o.mailboxes,
    appendMs,
    firstIssueMs: Math.min(...times) - started,
    allIssuesMs: wall,
    rate: (o.mails * 1000) / wall,
    fifths: fifths(times, started),
    cpu: used,
  };
}

function fifths(times: number[], started: number): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  // How many issues the first k fifths hold, and when the last of them was created.
  const count = (k: number) => Math.floor((k * sorted.length) / 5);
  const at = (n: number) => (n === 0 ? started : sorted[n - 1]!);
  return [0, 1, 2, 3, 4].map((k) => ((count(k + 1) - count(k)) * 1000) / (at(count(k + 1)) - at(count(k))));
}

/** Who used the machine's CPU from now until since(): this process, our PostgreSQL, our Dovecot, the rest. */
async function cpuSnapshot(stack: Stack) {
  const dataDir = stack.config.dataDir;
  const dovecotDir = stack.dovecot!.dir;
  const markers = {
    'this process (worker, ingestion, Jira emulator)': (p: { pid: number }) => p.pid === process.pid,
    'PostgreSQL': (p: { cmdline: string }) => p.cmdline.includes(dataDir),
    'Dovecot': (p: { cmdline: string }) => p.cmdline.includes(dovecotDir),
  };
  const [procs0, machine0] = [await cpuByProcess(markers), await cpuTimes()];
  return {
    async since(): Promise<[string, number][]> {
      const [procs1, machine1] = [await cpuByProcess(markers), await cpuTimes()];
      const total = machine1.total - machine0.total;
      const shares: [string, number][] = [...cpuBetween(procs0, procs1)].map(([g, j]) => [g, j / total]);
      const busy = (machine1.busy - machine0.busy) / total;
      // What no process still running used: processes that came and went meanwhile, none of them ours.
      const gone = busy - shares.reduce((a, [, v]) => a + v, 0);
      return [...shares.sort((a, b) => b[1] - a[1]), ['processes that ended meanwhile (other users)', Math.max(0, gone)], ['idle', Math.max(0, 1 - busy)]];
    },
  };
}

/** Stops what a failed run left running outside the stack (the profiled worker, the CPU profile). */
const leftovers = new Set<() => Promise<unknown>>();

/** The same drain through a worker whose every stage is timed (bench/profile.ts), under a CPU profile. */
async function profiled(stack: Stack, clock: IssueClock): Promise<{ drain: Drain; timer: StageTimer; parseMs: number; cpu: Map<string, number> }> {
  const timer = new StageTimer();
  let cpu = new Map<string, number>();
  let finish: () => Promise<void> = () => Promise.resolve();
  const drain = await backlog(stack, clock, {
    label: `profiled, 1 mailbox, ${PLAN.profileMails} mails`,
    mails: PLAN.profileMails,
    mailboxes: 1,
    worker: async () => {
      const profile = await CpuProfile.start();
      const worker = profiledWorker(stack, timer);
      finish = async () => {
        leftovers.delete(finish);
        cpu = await profile.stop();
        await worker.stop();
      };
      leftovers.add(finish);
      await worker.start();
    },
    drained: () => finish(),
  });
  // Parsing is pure CPU: timed apart on the same kind of mail, it is subtracted from process().
  const samples = Array.from({ length: 200 }, (_, i) => benchMail('parse', i));
  const t = performance.now();
  for (const m of samples) await parseEmail(m.raw);
  return { drain, timer, parseMs: (performance.now() - t) / samples.length, cpu };
}

// ---- the report ----

function latencyLine(name: string, values: number[]): string {
  return `${name}: median ${ms(median(values))}, p99 ${ms(percentile(values, 99))}, mean ${ms(mean(values))}, min ${ms(Math.min(...values))}, max ${ms(Math.max(...values))} (${values.length} mails)`;
}

function drainLine(d: Drain): string {
  return (
    `${d.label}: ${d.rate.toFixed(1)} mails/s (${d.mails} issues in ${ms(d.allIssuesMs)}, first after ${ms(d.firstIssueMs)}; ` +
    `APPEND of the backlog took ${ms(d.appendMs)})\n    mails/s by fifth of the drain: ${d.fifths.map((r) => r.toFixed(0)).join(', ')}\n    CPU of the machine (all cores) meanwhile: ${d.cpu.map(([g, share]) => `${g} ${(share * 100).toFixed(0)} %`).join(', ')}`
  );
}

function cpuTable(cpu: Map<string, number>, mails: number): string {
  const busy = [...cpu].filter(([g]) => g !== 'idle').sort((a, b) => b[1] - a[1]);
  const total = busy.reduce((a, [, v]) => a + v, 0);
  const rows = busy.map(([g, v]) => [g, (v / mails).toFixed(2), `${((v / total) * 100).toFixed(0)} %`]);
  const idle = cpu.get('idle') ?? 0;
  return [
    table(['main thread CPU, per mail', 'ms', 'share'], rows),
    `busy ${(total / mails).toFixed(2)} ms per mail, idle (waiting for PostgreSQL, Dovecot, Jira) ${(idle / mails).toFixed(2)} ms per mail: ` +
      `the thread was busy ${((total / (total + idle)) * 100).toFixed(0)} % of the drain`,
  ].join('\n');
}

function breakdown(timer: StageTimer, mails: number, parseMs: number): string {
  const per = (match: RegExp) => timer.sum(match) / mails;
  const processMs = per(/^process$/);
  const jira = per(/^jira /);
  const open = per(/^db raw ledger open/);
  const transition = per(/^db raw ledger transition/);
  const ledger = per(/^db ledgerEntry\./);
  const checkpoint = per(/^db messageSource\.updateMany$/);
  const between = per(/^between mails$/);
  const rows: [string, number][] = [
    ['IMAP fetch of the next mail + watcher loop', between - checkpoint],
    ['checkpoint save (UPDATE MessageSource)', checkpoint],
    ['parse (mailparser → InboundEmail), timed apart', parseMs],
    ['ledger opened, with the raw message (1 statement)', open],
    ['ledger completed, with the activity row (1 statement)', transition],
    ['other ledger queries (Prisma)', ledger],
    ['Jira calls (user search + create issue)', jira],
    ['rest of process(): classify, decide, ADF, JWT', processMs - parseMs - open - transition - ledger - jira],
  ];
  const total = rows.reduce((a, [, v]) => a + v, 0);
  const detail = [...timer.totals]
    .filter(([stage]) => stage.startsWith('db ') || stage.startsWith('jira '))
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([stage, t]) => [stage, String(t.calls), ms(t.ms / t.calls), ms(t.ms / mails)]);
  return [
    table(['stage, per mail', 'ms', 'share'], rows.map(([name, v]) => [name, v.toFixed(2), `${((v / total) * 100).toFixed(0)} %`])),
    `sum ${total.toFixed(2)} ms per mail ≈ ${(1000 / total).toFixed(0)} mails/s for one mailbox`,
    '',
    table(['call', 'calls', 'per call', 'per mail'], detail),
  ].join('\n');
}

async function main() {
  const m = await machine();
  const inotify = await inotifyInstances();
  say(`Mailbridge ingestion benchmark${QUICK ? ' (--quick: small counts, not for the README)' : ''}`);
  say(`machine: ${m.cpus} × ${m.model}, Node ${m.node}, Dovecot ${m.dovecot}; load average ${loadAverage()}`);
  say(`inotify instances held by uid 65534 (all test Dovecots) before the run: ${inotify} of 128${inotify > 100 ? ' — IDLE may fall back to 1 s polling' : ''}`);

  const started = performance.now();
  const stack = await startStack({ logLevel: 'warn', logDestination: process.stderr });
  try {
    const clock = new IssueClock(stack.site);
    const told = ExistsLog.install();
    say(`\nstack up in ${ms(performance.now() - started)}; mails are IMAP APPENDed to INBOX by a separate imapflow client (XOAUTH2), not delivered over LMTP`);

    say(`\na. APPEND → issue created, ${PLAN.idleMails} mails one at a time, the watcher in IDLE`);
    const idle = await idleLatency(stack, clock, told);
    say(`  ${latencyLine('APPEND → issue', idle.total)}`);
    say(`  ${latencyLine('APPEND command round trip', idle.append)}`);
    say(`  ${latencyLine('APPEND → the watcher\'s IDLE connection is told (untagged EXISTS)', idle.announce)}`);
    say(`  ${latencyLine('announced → issue created (our part)', idle.afterAnnounce)}`);
    say(`  slowest: mail #${idle.slowest.index} (${ms(idle.slowest.ms)}); ${PLAN.idleMails} mails after ${IDLE_WARMUP} not counted to warm up`);
    say(`  Dovecot's announcement is ${((median(idle.announce) / median(idle.total)) * 100).toFixed(0)} % of the median delay`);

    say(`\na. the same with the watcher polling every ${ms(PLAN.pollIntervalMs)} (a proxy hides IDLE): ${PLAN.pollMails} mails at random moments over ${PLAN.pollWindows} intervals`);
    const poll = await pollLatency(stack, clock);
    say(`  ${latencyLine('APPEND → issue', poll)}`);
    say(`  expected from the interval alone: median ${ms(PLAN.pollIntervalMs / 2)}, p99 ${ms(PLAN.pollIntervalMs * 0.99)} (waiting for the next poll is uniform over the interval)`);

    say(`\nb. draining a backlog of ${PLAN.backlog} mails (APPENDed while the worker is stopped)`);
    // A drain gets faster as it goes (JIT, Prisma's query cache, PostgreSQL's statistics): a first one
    // not counted, so the runs compared below start equally warm and their order does not decide.
    const warm = await backlog(stack, clock, { label: `warm-up, not counted: 1 mailbox, ${PLAN.warmup} mails`, mails: PLAN.warmup, mailboxes: 1 });
    say(`  ${warm.label}: ${warm.rate.toFixed(1)} mails/s; by fifth ${warm.fifths.map((r) => r.toFixed(0)).join(', ')}`);
    // The comparison runs twice, alternating, so that one noisy moment of the machine does not decide it.
    // "1 at a time" is the worker with MAILS_IN_FLIGHT=1: each mail waits for the one before it.
    const one: Drain[] = [];
    const single: Drain[] = [];
    const two: Drain[] = [];
    const inFlight = stack.config.ingestion.mailsInFlight;
    const oneAtATime = () => stack.startWorker({ mailsInFlight: 1 });
    for (let round = 0; round < PLAN.rounds; round++) {
      one.push(await backlog(stack, clock, { label: `1 mailbox, ${PLAN.backlog} mails (${inFlight} in flight, the default)`, mails: PLAN.backlog, mailboxes: 1 }));
      say(`  ${drainLine(one.at(-1)!)}`);
      single.push(await backlog(stack, clock, { label: `1 mailbox, ${PLAN.backlog} mails, 1 at a time`, mails: PLAN.backlog, mailboxes: 1, worker: oneAtATime }));
      say(`  ${drainLine(single.at(-1)!)}`);
      two.push(await backlog(stack, clock, { label: `2 mailboxes × ${PLAN.backlog / 2} mails, in parallel`, mails: PLAN.backlog, mailboxes: 2 }));
      say(`  ${drainLine(two.at(-1)!)}`);
    }
    const slow = await stack.addSite({ latencyMs: SLOW_JIRA_MS });
    const slowClock = new IssueClock(slow.site);
    const slowLabel = `1 mailbox, ${PLAN.slowJiraMails} mails, Jira answering in ${SLOW_JIRA_MS} ms`;
    const slowJira = await backlog(stack, slowClock, { label: `${slowLabel} (${inFlight} in flight)`, mails: PLAN.slowJiraMails, mailboxes: 1, at: slow });
    say(`  ${drainLine(slowJira)}`);
    const slowSingle = await backlog(stack, slowClock, { label: `${slowLabel}, 1 at a time`, mails: PLAN.slowJiraMails, mailboxes: 1, at: slow, worker: oneAtATime });
    say(`  ${drainLine(slowSingle)}`);

    if (median(one.map((d) => d.rate)) < TARGET_RATE) {
      say(`\n  below ${TARGET_RATE} mails/s: a profiled drain of ${PLAN.profileMails} mails, to see where the time goes`);
      const p = await profiled(stack, clock);
      say(`  ${drainLine(p.drain)}`);
      say(breakdown(p.timer, p.drain.mails, p.parseMs).replace(/^/gm, '  '));
      say('');
      say(cpuTable(p.cpu, p.drain.mails).replace(/^/gm, '  '));
    }

    say('\nSummary (for the README)\n');
    say(summary(m, idle, poll, [one, single, two, [slowJira], [slowSingle]]));
    say(`\nload average at the end ${loadAverage()}; the whole run took ${ms(performance.now() - started)}`);
  } finally {
    for (const stop of leftovers) await stop().catch(() => undefined);
    await stack.stop();
  }
}

function summary(m: Awaited<ReturnType<typeof machine>>, idle: Latency, poll: number[], drains: Drain[][]): string {
  const idleOk = median(idle.total) < TARGET_MEDIAN_MS ? 'met' : 'missed';
  const rates = (runs: Drain[]) => `${runs.map((d) => d.rate.toFixed(0)).join(', ')} mails/s${runs.length > 1 ? ` (${runs.length} runs)` : ''}`;
  const rows = [
    [`APPEND → issue, IDLE (${idle.total.length} mails, one at a time)`, `median ${ms(median(idle.total))}, p99 ${ms(percentile(idle.total, 99))}`, `median < 1 s: ${idleOk}`],
    ['  of which Dovecot announcing the mail (waits 500 ms on purpose)', `median ${ms(median(idle.announce))}, p99 ${ms(percentile(idle.announce, 99))}`, ''],
    ['  of which Mailbridge (announced → issue created)', `median ${ms(median(idle.afterAnnounce))}, p99 ${ms(percentile(idle.afterAnnounce, 99))}`, ''],
    [`APPEND → issue, polling every ${ms(PLAN.pollIntervalMs)} (${poll.length} mails at random moments)`, `median ${ms(median(poll))}, p99 ${ms(percentile(poll, 99))}`, ''],
    ...drains.map((runs) => [
      `Backlog: ${runs[0]!.label}`,
      rates(runs),
      runs === drains[0] ? `≥ ${TARGET_RATE} mails/s: ${median(runs.map((d) => d.rate)) >= TARGET_RATE ? 'met' : 'missed'}` : '',
    ]),
  ];
  return [
    table(['Measure', 'Result', 'Target'], rows),
    '',
    `Machine: ${m.cpus} × ${m.model} (os.cpus()), Node ${m.node}, Dovecot ${m.dovecot}, embedded PostgreSQL 18, Jira emulator in the same process (0 ms added latency unless stated).`,
  ].join('\n');
}

await main();
