// Where the time of one mail goes while a backlog drains, without touching src/: the worker is built
// from the same classes buildWorker uses, with its database, its Jira client and its ingestion
// wrapped to time every call. The stages the team can optimise are reported per mail: the IMAP fetch
// (with the watcher's loop), parsing, the ledger and activity queries, the Jira calls, the checkpoint.
import { performance } from 'node:perf_hooks';
import type { Stack } from '../dev/stack.js';
import type { Db } from '../src/store/db.js';
import { Ledger } from '../src/store/ledger.js';
import { ActivityLog } from '../src/store/activity.js';
import { Ingestion, type IngestContext, type IngestionDeps, type RawMessage } from '../src/ingest/pipeline.js';
import { SenderRateLimiter } from '../src/ingest/rate-limit.js';
import type { JiraClient } from '../src/jira/client.js';
import { MailboxSupervisor } from '../src/workers/mailboxes.js';

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

const MODELS = new Set(['ledgerEntry', 'activity', 'messageSource', 'messageOutbound']);

type AnyFn = (...args: unknown[]) => unknown;

/** The Prisma client with every query of the worker's tables timed, named `db model.method`. */
export function timedDb(db: Db, timer: StageTimer): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== 'string' || !MODELS.has(prop) || typeof value !== 'object' || value === null) return value;
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
  return { request: (method, path, options) => timer.time(`jira ${method} ${endpoint(path)}`, () => jira.request(method, path, options)) };
}

/** The ingestion, timed as a whole and in the gaps between mails (where the watcher fetches the next). */
class TimedIngestion extends Ingestion {
  private lastEnd: number | undefined;

  constructor(
    deps: IngestionDeps,
    private readonly timer: StageTimer,
  ) {
    super(deps);
  }

  override async process(ctx: IngestContext, msg: RawMessage) {
    const started = performance.now();
    if (this.lastEnd !== undefined) this.timer.add('between mails', started - this.lastEnd);
    try {
      return await super.process(ctx, msg);
    } finally {
      this.lastEnd = performance.now();
      this.timer.add('process', this.lastEnd - started);
    }
  }
}

/** A mailbox worker like buildWorker's, every stage timed into `timer`. */
export function profiledWorker(stack: Stack, timer: StageTimer): MailboxSupervisor {
  const { services, config, log } = stack;
  const db = timedDb(stack.db, timer);
  const ingestion = new TimedIngestion(
    {
      ledger: new Ledger(db),
      activity: new ActivityLog(db),
      senders: new SenderRateLimiter(),
      log: log.child({ component: 'ingestion' }),
      maxAttempts: 5,
      reconcileAfterMs: config.ingestion.reconcileAfterMs,
    },
    timer,
  );
  return new MailboxSupervisor({
    db,
    databaseUrl: stack.databaseUrl,
    sources: services.sources,
    tokens: services.tokens,
    gmail: config.gmail,
    ingestion,
    jiraFor: async (tenant) => timedJira(await services.jiraFor(tenant, services.background), timer),
    tenantById: (id) => services.tenants.findById(id),
    log: log.child({ component: 'worker' }),
    refreshEveryMs: 500,
    watcher: { retryDelayMs: () => 200 },
  });
}
