// Where the main thread's CPU goes while a backlog drains, by component: a V8 CPU profile taken with
// node:inspector around the drain, each sample put in the group of the nearest frame it can be told
// by. The Jira emulator runs in this process but would be remote in production, so it is its own group.
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const EMULATOR = /\/dev\/jira\/|\/express\/|node:_http_server|node:_http_incoming|node:_http_outgoing/;
// Nearest frame first: a socket write under the pg driver is the database's, under undici Jira's.
const GROUPS: [string, RegExp][] = [
  ['database (Prisma, pg, src/store)', /@prisma\/|generated\/prisma|\/pg\/|pg-protocol|pg-pool|\/src\/store\//],
  ['parse (mailparser, src/mail/parse)', /mailparser|libmime|mailsplit|iconv-lite|html-to-text|htmlparser2|libqp|libbase64|encoding-japanese|punycode|linkify|\/src\/mail\/parse\//],
  ['IMAP (imapflow, src/mail/imap)', /imapflow|\/src\/mail\/imap\//],
  ['Jira client (fetch, JWT)', /undici|\/src\/jira\/|atlassian-jwt|node:internal\/deps\/undici/],
  ['ingest (classify, decide, ADF)', /\/src\/ingest\//],
  ['logging (pino)', /pino/],
];

export class CpuProfile {
  private constructor(private readonly session: Session) {}

  static async start(): Promise<CpuProfile> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    // 0.5 ms between samples: fine enough for 10-20 ms of work per mail.
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return new CpuProfile(session);
  }

  /** Milliseconds of main-thread CPU per group, over the whole profile ('idle' included). */
  async stop(): Promise<Map<string, number>> {
    const { profile } = (await this.session.post('Profiler.stop')) as { profile: Profile };
    await this.session.post('Profiler.disable');
    this.session.disconnect();
    return group(profile);
  }
}

function group(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map<number, string>();
  const groupOf = (id: number): string => {
    const known = cache.get(id);
    if (known) return known;
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!);
    const g = classify(stack);
    cache.set(id, g);
    return g;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const g = groupOf(id);
    totals.set(g, (totals.get(g) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

/** `stack` runs from the sampled frame up to the root. */
function classify(stack: ProfileNode[]): string {
  const leaf = stack[0]!.callFrame.functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'garbage collector';
  if (stack.some((n) => EMULATOR.test(n.callFrame.url))) return 'Jira emulator (remote in production)';
  for (const n of stack) for (const [name, re] of GROUPS) if (re.test(n.callFrame.url)) return name;
  return 'other (Node internals, timers, promises)';
}
