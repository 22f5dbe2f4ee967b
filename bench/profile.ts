// Where the time of one mail goes while a backlog drains, without touching src/: the worker is built
// by the same functions as in production (createServices, buildWorker), with its database, its Jira
// client and its ingestion wrapped to time every call, one mail at a time. Per mail, the stages the team
// can optimise: the IMAP fetch (with the watcher's loop), parsing, the ledger's two statements, the Jira
// calls, the checkpoint.
import { performance } from 'node:perf_hooks';
import type { Stack } from '../dev/stack.js';
import type { Db } from '../src/store/db.js';
import type { Ingestion } from '../src/ingest/pipeline.js';
import type { JiraClient } from '../src/jira/client.js';
import { createServices, type Services } from '../src/services.js';
import { buildWorker } from '../src/workers/build.js';
import type { MailboxSupervisor } from '../src/workers/mailboxes.js';

export class StageTimer {
  readonly totals = new Map<string, { ms: number; calls: number }>();

  add(stage: string, ms: number): void {
    const t = this.totals.get(stage) ?? { ms: 0, calls: 0 };
    t.ms += ms;
    t.calls++;
    this.totals.set(stage, t);
  }

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - started);
    }
  }

  /** Total milliseconds of the stages whose name matches. */
  sum(match: RegExp): number {
    let ms = 0;
    for (const [stage, t] of this.totals) if (match.test(stage)) ms += t.ms;
    return ms;
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/** What a raw statement does, from its first words (the ledger's two statements; others by their verb). */
const rawName = (sql: string) =>
  /^\s*WITH opened AS/.test(sql) ? 'ledger open (+ raw message)' : /^\s*WITH moved AS/.test(sql) ? 'ledger transition (+ activity row)' : (sql.trim().split(/\s+/)[0] ?? '?').toUpperCase();

/** The Prisma client with every query timed: `db model.method` for model queries, `db raw <what>` for SQL. */
export function timedDb(db: Db, timer: StageTimer): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if ((prop === '$queryRawUnsafe' || prop === '$executeRawUnsafe') && typeof value === 'function') {
        return (sql: string, ...values: unknown[]) => timer.time(`db raw ${rawName(sql)}`, () => Promise.resolve((value as AnyFn).call(target, sql, ...values)));
      }
      if (typeof prop !== 'string' || /^[$_]/.test(prop) || typeof value !== 'object' || value === null) return value;
      const delegate = value;
      return new Proxy(delegate, {
        get(model, method) {
          const fn: unknown = Reflect.get(model, method);
          if (typeof fn !== 'function') return fn;
          return (...args: unknown[]) => timer.time(`db ${prop}.${String(method)}`, () => Promise.resolve((fn as AnyFn).apply(model, args)));
        },
      });
    },
  });
}

/** Issue keys and ids in a REST path become :id, so calls group by endpoint. */
const endpoint = (path: string) => path.replace(/^\/rest\/api\/3/, '').replace(/\/[A-Z][A-Z0-9]+-\d+|\/\d+(?=\/|$)/g, '/:id');

export function timedJira(jira: JiraClient, timer: StageTimer): JiraClient {
  return {
    request: (method, path, options) => timer.time(`jira ${method} ${endpoint(path)}`, () => jira.request(method, path, options)),
    location: (path, options) => timer.time(`jira GET ${endpoint(path)} (redirect)`, () => jira.location(path, options)),
  };
}

/** Times each process() call as a whole, and the gaps between calls (where the watcher fetches the next mail). */
function timeProcess(ingestion: Ingestion, timer: StageTimer): void {
  const original = ingestion.process.bind(ingestion);
  let lastEnd: number | undefined;
  ingestion.process = async (...args) => {
    const started = performance.now();
    if (lastEnd !== undefined) timer.add('between mails', started - lastEnd);
    try {
      return await original(...args);
    } finally {
      lastEnd = performance.now();
      timer.add('process', lastEnd - started);
    }
  };
}

/**
 * A mailbox worker built as production builds it (createServices, buildWorker), over a timed database,
 * with its Jira client and its ingestion timed: what src/ changes is measured as it is.
 */
export function profiledWorker(stack: Stack, timer: StageTimer): MailboxSupervisor {
  const { config, log, keyring } = stack;
  const db = timedDb(stack.db, timer);
  const services = createServices({ config, log, db, keyring });
  timeProcess(services.ingestion, timer);
  const timed: Services = { ...services, jiraFor: async (tenant, retry) => timedJira(await services.jiraFor(tenant, retry), timer) };
  // One mail at a time, so that the stages of a mail add up to the time it takes.
  const oneAtATime = { ...config, ingestion: { ...config.ingestion, mailsInFlight: 1 } };
  return buildWorker({ config: oneAtATime, log, db, databaseUrl: stack.databaseUrl, services: timed, refreshEveryMs: 500, watcher: { retryDelayMs: () => 200 } });
}
