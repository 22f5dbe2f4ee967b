// The mailbox watcher against a real Dovecot 2.3: mail must reach handle() once, in order and within a
// second over IDLE; progress must survive restarts, retries, dropped connections, a token checker that
// is down and a folder whose UIDs were renumbered; a revoked token must stop it instead of looping.
// Network trouble comes from a TCP proxy between watcher and server that the tests cut and refuse.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../dev/http.js';
import { startDovecot, type Dovecot } from '../../dev/mail/dovecot.js';
import {
  MailboxWatcher,
  type Checkpoint,
  type CheckpointStore,
  type FetchedMessage,
  type Handled,
  type ImapLogin,
  type WatcherOptions,
  type WatcherState,
} from '../../src/mail/imap/watcher.js';

const PASSWORD = 'secret';
// Every test gets a mailbox of its own, so none sees another's mail.
const USERS = Array.from({ length: 30 }, (_, i) => `watcher${i + 1}@example.com`);
const FAST_RETRY = () => 100;

// --- Google's tokeninfo as Dovecot asks it: known tokens 200, others 400, everything 503 when down ---

interface Tokeninfo {
  url: string;
  down: boolean;
  /** Requests per token, to see that a refused token is not tried again and again. */
  asked: Map<string, number>;
  issue(email: string): string;
  revoke(token: string): void;
  close(): Promise<void>;
}

async function startTokeninfo(): Promise<Tokeninfo> {
  const tokens = new Map<string, string>();
  const asked = new Map<string, number>();
  const stub = {
    down: false,
    asked,
    issue(email: string) {
      const token = `ya29.${randomBytes(12).toString('hex')}`;
      tokens.set(token, email);
      return token;
    },
    revoke: (token: string) => void tokens.delete(token),
  };
  const server: Listening = await listen((req, res) => {
    const token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('access_token') ?? '';
    asked.set(token, (asked.get(token) ?? 0) + 1);
    const email = tokens.get(token);
    if (stub.down) res.writeHead(503).end(JSON.stringify({ error: 'backend_error' }));
    else if (!email) res.writeHead(400).end(JSON.stringify({ error: 'invalid_token' }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ email, scope: 'https://mail.google.com/', expires_in: 3600 }));
  });
  return Object.assign(stub, { url: `${server.url}/tokeninfo`, close: () => server.close() });
}

// --- A TCP proxy in front of Dovecot: a network that can drop, refuse or swallow connections ---

interface Proxy {
  port: number;
  mode: 'pass' | 'refuse' | 'blackhole';
  /** Connections accepted so far, refused ones included. */
  accepted: number;
  cut(): void;
  close(): Promise<void>;
}

async function startProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const proxy = { mode: 'pass' as Proxy['mode'], accepted: 0 };
  const server = net.createServer((client) => {
    proxy.accepted++;
    track(client);
    if (proxy.mode === 'refuse') return void client.resetAndDestroy();
    if (proxy.mode === 'blackhole') return;
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    port: (server.address() as net.AddressInfo).port,
    cut: () => sockets.forEach((s) => s.resetAndDestroy()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  });
}

// --- What a watcher under test did ---

interface Offer {
  uid: number;
  subject: string;
  at: number;
  msg: FetchedMessage;
}

class MemoryStore implements CheckpointStore {
  current: Checkpoint | null = null;
  saved: Checkpoint[] = [];
  load() {
    return Promise.resolve(this.current && { ...this.current });
  }
  save(cp: Checkpoint) {
    this.current = { ...cp };
    this.saved.push(this.current);
    return Promise.resolve();
  }
}

interface LogEntry {
  level: string;
  obj: object;
  msg: string;
}

interface Watched {
  watcher: MailboxWatcher;
  offers: Offer[];
  states: WatcherState[];
  store: MemoryStore;
  log: LogEntry[];
  logins: () => number;
  subjects(): string[];
  state(): WatcherState['state'] | undefined;
}

interface WatchOptions extends Partial<Omit<WatcherOptions, 'handle'>> {
  user: string;
  /** The worker's verdict on the `times`th offer of a message: 'done' unless a test says otherwise; may throw. */
  verdict?: (offer: Offer, times: number) => Handled | Promise<Handled>;
  port?: number;
}

const running = new Set<MailboxWatcher>();

function watch(o: WatchOptions): Watched {
  const offers: Offer[] = [];
  const states: WatcherState[] = [];
  const log: LogEntry[] = [];
  const store = o.checkpoints instanceof MemoryStore ? o.checkpoints : new MemoryStore();
  let logins = 0;
  const entry = (level: string) => (obj: object, msg: string) => void log.push({ level, obj, msg });
  const login: () => Promise<ImapLogin> =
    o.login ?? (() => Promise.resolve({ host: '127.0.0.1', port: o.port ?? dovecot.imapPort, secure: false, auth: { user: o.user, pass: PASSWORD } }));
  const watcher = new MailboxWatcher({
    folder: 'INBOX',
    startFrom: new Date(Date.now() - 60 * 60_000),
    afterProcessing: { action: 'LEAVE' },
    retryDelayMs: FAST_RETRY,
    ...o,
    checkpoints: store,
    login: () => {
      logins++;
      return login();
    },
    handle: async (msg) => {
      const offer = { uid: msg.uid, subject: subjectOf(msg.raw), at: Date.now(), msg };
      offers.push(offer);
      const times = offers.filter((x) => x.uid === msg.uid).length;
      return o.verdict ? await o.verdict(offer, times) : { outcome: 'done' };
    },
    onState: (s) => states.push(s),
    log: { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error') },
  });
  running.add(watcher);
  watcher.start();
  return {
    watcher,
    offers,
    states,
    store,
    log,
    logins: () => logins,
    subjects: () => offers.map((x) => x.subject),
    state: () => states.at(-1)?.state,
  };
}

async function stop(w: Watched): Promise<void> {
  await w.watcher.stop();
  running.delete(w.watcher);
}

async function until(what: string, test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}.`);
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// --- Mail ---

function mail(subject: string, body = 'Hello.'): string {
  const lines = body.match(/.{1,76}/g)!.join('\r\n');
  return `From: Customer <customer@example.org>\r\nTo: support@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${randomBytes(6).toString('hex')}@example.org>\r\nDate: ${new Date().toUTCString()}\r\n\r\n${lines}\r\n`;
}

function subjectOf(raw: Buffer): string {
  return /^Subject: (.*)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '';
}

/** An IMAP client of the mailbox's own, as a person in Gmail or another program would be. */
async function mailClient(user: string, port = dovecot.imapPort): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: PASSWORD }, logger: false, disableAutoIdle: true });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function withClient<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = await mailClient(user);
  try {
    return await fn(client);
  } finally {
    await client.logout();
  }
}

/** Appends with a chosen arrival time (INTERNALDATE), which delivery cannot fake. */
async function appendAt(user: string, subject: string, arrived: Date, folder = 'INBOX'): Promise<void> {
  await withClient(user, async (c) => {
    if (!(await c.append(folder, mail(subject), [], arrived))) throw new Error(`APPEND of "${subject}" to ${folder} failed.`);
  });
}

async function flagsOf(user: string, uid: number): Promise<string[]> {
  return withClient(user, async (c) => {
    await c.mailboxOpen('INBOX', { readOnly: true });
    const msg = await c.fetchOne(String(uid), { flags: true }, { uid: true });
    return [...((msg && msg.flags) || [])];
  });
}

async function subjectsIn(user: string, folder: string): Promise<string[]> {
  return withClient(user, async (c) => {
    const box = await c.mailboxOpen(folder, { readOnly: true });
    if (box.exists === 0) return [];
    return (await c.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.subject ?? '');
  });
}

// --- The servers ---

let dovecot: Dovecot;
let tokeninfo: Tokeninfo;
let nextUser = 0;
const freshUser = () => USERS[nextUser++]!;

beforeAll(async () => {
  tokeninfo = await startTokeninfo();
  dovecot = await startDovecot({ tokeninfoUrl: tokeninfo.url, passwordUsers: USERS.map((user) => ({ user, password: PASSWORD })) });
});

afterEach(async () => {
  await Promise.all([...running].map((w) => w.stop()));
  running.clear();
});

afterAll(async () => {
  await dovecot?.stop();
  await tokeninfo?.close();
});

describe('MailboxWatcher over IDLE', () => {
  it('hands each delivered message to handle() in order, with a checkpoint after each, well under 2 s after delivery', async () => {
    const user = freshUser();
    const w = watch({ user });
    await until('IDLE', () => w.state() === 'idle');
    const delays: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const sent = Date.now();
      await dovecot.deliver(user, mail(`m${i}`));
      await until(`m${i}`, () => w.offers.length === i);
      delays.push(w.offers[i - 1]!.at - sent);
    }
    console.log(`deliver → handle over IDLE, 20 mails: median ${median(delays)} ms, min ${Math.min(...delays)} ms, max ${Math.max(...delays)} ms`);
    expect(median(delays)).toBeLessThan(1000);
    expect(Math.max(...delays)).toBeLessThan(2000);

    expect(w.subjects()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    expect(w.offers.map((o) => o.uid)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The first save starts the (empty) first sync; then one per message, each right after it.
    expect(w.store.saved.slice(1).map((cp) => cp.lastUid)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
    const first = w.offers[0]!.msg;
    expect(first.uidValidity).toBe(w.store.current!.uidValidity);
    expect(typeof first.uidValidity).toBe('bigint');
    expect(first.internalDate).toBeInstanceOf(Date);
    expect(first.size).toBe(first.raw.length);
    expect(first.flags).not.toContain('\\Seen');
    expect(first.gmail).toBeUndefined();
    // IDLE was entered at once after each sync, never imapflow's auto-IDLE 15 s later.
    expect(w.states.filter((s) => s.state === 'idle').length).toBeGreaterThanOrEqual(20);
  });

  it('keeps its checkpoint across a restart: nothing is offered again, mail that came meanwhile is', async () => {
    const user = freshUser();
    await dovecot.deliver(user, mail('before-1'));
    await dovecot.deliver(user, mail('before-2'));
    const first = watch({ user });
    await until('both', () => first.offers.length === 2);
    await stop(first);
    await dovecot.deliver(user, mail('while-stopped'));

    const second = watch({ user, checkpoints: first.store });
    await until('the new one', () => second.offers.length === 1);
    await until('IDLE', () => second.state() === 'idle');
    await dovecot.deliver(user, mail('after-restart'));
    await until('the next one', () => second.offers.length === 2);
    expect(second.subjects()).toEqual(['while-stopped', 'after-restart']);
    expect(second.store.current!.lastUid).toBe(4n);
  });

  it('on the first sync offers only mail since startFrom, to the second and not the day', async () => {
    const user = freshUser();
    const startFrom = new Date(Date.now() - 2 * 60_000);
    await appendAt(user, 'days-old', new Date(Date.now() - 3 * 24 * 60 * 60_000));
    // Same day as startFrom (unless this runs just after midnight): SEARCH SINCE alone would take it.
    await appendAt(user, 'minutes-before', new Date(startFrom.getTime() - 60_000));
    await appendAt(user, 'seconds-after', new Date(startFrom.getTime() + 5_000));
    await dovecot.deliver(user, mail('delivered-now'));
    const w = watch({ user, startFrom });
    await until('two offers', () => w.offers.length === 2);
    await until('IDLE', () => w.state() === 'idle');
    expect(w.subjects()).toEqual(['seconds-after', 'delivered-now']);
    expect(w.store.current).toMatchObject({ lastUid: 4n });
    expect(w.store.current!.catchUp).toBeUndefined();
  });

  it('with no mail since startFrom still checkpoints at the highest UID, and offers what comes next', async () => {
    const user = freshUser();
    await dovecot.deliver(user, mail('old-1'));
    await dovecot.deliver(user, mail('old-2'));
    await sleep(1100); // INTERNALDATE has whole seconds
    const w = watch({ user, startFrom: new Date() });
    await until('IDLE', () => w.state() === 'idle');
    expect(w.offers).toEqual([]);
    expect(w.store.current).toMatchObject({ lastUid: 2n });
    await dovecot.deliver(user, mail('new'));
    await until('the new one', () => w.offers.length === 1);
    expect(w.subjects()).toEqual(['new']);
  });

  it('ignores \\Seen: mail read by a person is offered all the same, and LEAVE leaves it unread', async () => {
    const user = freshUser();
    const w = watch({ user });
    await dovecot.deliver(user, mail('one'));
    await until('one', () => w.offers.length === 1);
    expect(await flagsOf(user, 1)).not.toContain('\\Seen');
    await stop(w);

    await dovecot.deliver(user, mail('two'));
    await withClient(user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('1:*', ['\\Seen'], { uid: true });
    });
    const again = watch({ user, checkpoints: w.store });
    await until('two', () => again.offers.length === 1);
    expect(again.subjects()).toEqual(['two']);
    expect(again.offers[0]!.msg.flags).toContain('\\Seen');
  });

  it("re-offers a message answered 'retry' after retryDelayMs, and never skips ahead of it", async () => {
    const user = freshUser();
    for (const s of ['a', 'b', 'c']) await dovecot.deliver(user, mail(s));
    const delays: number[] = [];
    const w = watch({
      user,
      retryDelayMs: (attempt) => {
        delays.push(attempt);
        return 150;
      },
      verdict: (o, times) => (o.subject === 'b' && times < 3 ? { outcome: 'retry', reason: 'Jira answered 503' } : { outcome: 'done' }),
    });
    await until('c', () => w.subjects().includes('c'));
    expect(w.subjects()).toEqual(['a', 'b', 'b', 'b', 'c']);
    // While b waits, the checkpoint stays at a; it moves on only when b is done.
    // (The last save only ends the first sync's catch-up.)
    expect(w.store.saved.map((cp) => cp.lastUid)).toEqual([0n, 1n, 2n, 3n, 3n]);
    expect(w.states).toContainEqual({ state: 'waiting', reason: 'Jira answered 503', retryInMs: 150 });
    // The first retry follows progress (a was done), the second one backs off further.
    expect(delays).toEqual([1, 2]);
    const bs = w.offers.filter((o) => o.subject === 'b');
    expect(bs[1]!.at - bs[0]!.at).toBeGreaterThanOrEqual(150);
  });

  it('with concurrency, hands over several at once in UID order; the checkpoint never passes one that is not done', async () => {
    const user = freshUser();
    const subjects = Array.from({ length: 12 }, (_, i) => `p${i + 1}`);
    for (const s of subjects) await dovecot.deliver(user, mail(s));
    let busy = 0;
    let most = 0;
    const done = new Set<number>();
    /** For every save: was every message up to its lastUid done by then? */
    const honest: boolean[] = [];
    const store = new (class extends MemoryStore {
      override save(cp: Checkpoint) {
        honest.push(Array.from({ length: Number(cp.lastUid) }, (_, i) => i + 1).every((uid) => done.has(uid)));
        return super.save(cp);
      }
    })();
    const w = watch({
      user,
      concurrency: 4,
      checkpoints: store,
      verdict: async (o, times) => {
        busy++;
        most = Math.max(most, busy);
        // Later messages finish first, and p3 fails once: p4..p6 may be done before it.
        await sleep(o.uid % 3 === 0 ? 60 : 10);
        busy--;
        if (o.subject === 'p3' && times === 1) return { outcome: 'retry', reason: 'Jira answered 503' };
        done.add(o.uid);
        return { outcome: 'done' };
      },
    });
    await until('all done', () => done.size === 12 && w.store.current?.lastUid === 12n);
    expect(most).toBe(4);
    expect(honest.every(Boolean)).toBe(true);
    // Offered in UID order on each pass; after p3's retry the pass starts again at p3.
    const firstPass = w.offers.slice(0, w.offers.findIndex((o, i) => i > 0 && o.uid <= w.offers[i - 1]!.uid));
    expect(firstPass.map((o) => o.uid)).toEqual([...firstPass.map((o) => o.uid)].sort((a, b) => a - b));
    expect(w.offers.filter((o) => o.subject === 'p3')).toHaveLength(2);
    expect(new Set(w.offers.map((o) => o.subject))).toEqual(new Set(subjects));
  });

  it('with concurrency, reads no next message while those in hand hold maxBytesInFlight', async () => {
    const user = freshUser();
    const big = 'x'.repeat(300_000);
    for (const s of ['b1', 'b2', 'b3', 'b4', 'b5']) await dovecot.deliver(user, mail(s, big));
    let busy = 0;
    let most = 0;
    const w = watch({
      user,
      concurrency: 8,
      maxBytesInFlight: 700_000,
      verdict: async () => {
        most = Math.max(most, ++busy);
        await sleep(30);
        busy--;
        return { outcome: 'done' };
      },
    });
    await until('all five', () => w.offers.length === 5 && w.store.current?.lastUid === 5n);
    // Two in hand hold about 600 KB, under the limit, so a third is read; then it waits.
    expect(most).toBe(3);
  });

  it('treats an exception from handle() like a retry, and logs it', async () => {
    const user = freshUser();
    for (const s of ['x', 'y']) await dovecot.deliver(user, mail(s));
    const w = watch({
      user,
      verdict: (o, times) => {
        if (o.subject === 'x' && times === 1) throw new Error('the database went away');
        return { outcome: 'done' };
      },
    });
    await until('y', () => w.subjects().includes('y'));
    expect(w.subjects()).toEqual(['x', 'x', 'y']);
    expect(w.log).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringContaining('handle() threw') }));
    expect(w.states).toContainEqual(expect.objectContaining({ state: 'waiting', reason: expect.stringContaining('the database went away') }));
  });
});

describe('after processing', () => {
  it('MARK_READ sets \\Seen on the message', async () => {
    const user = freshUser();
    const w = watch({ user, afterProcessing: { action: 'MARK_READ' } });
    await dovecot.deliver(user, mail('read-me'));
    await until('offer', () => w.offers.length === 1);
    await until('IDLE', () => w.state() === 'idle');
    expect(await flagsOf(user, 1)).toContain('\\Seen');
  });

  it('MOVE moves the message to its folder, creating the folder first', async () => {
    const user = freshUser();
    const w = watch({ user, afterProcessing: { action: 'MOVE', moveTo: 'Processed' } });
    await dovecot.deliver(user, mail('move-1'));
    await dovecot.deliver(user, mail('move-2'));
    await until('two offers', () => w.offers.length === 2);
    await until('IDLE', () => w.state() === 'idle');
    expect(await subjectsIn(user, 'INBOX')).toEqual([]);
    expect(await subjectsIn(user, 'Processed')).toEqual(['move-1', 'move-2']);
  });

  it('a MOVE that fails is logged and holds nothing up', async () => {
    const user = freshUser();
    // Dovecot refuses to create a folder whose name begins with '~'.
    const w = watch({ user, afterProcessing: { action: 'MOVE', moveTo: '~Processed' } });
    await dovecot.deliver(user, mail('stays-1'));
    await dovecot.deliver(user, mail('stays-2'));
    await until('two offers', () => w.offers.length === 2);
    await until('IDLE', () => w.state() === 'idle');
    expect(w.store.current!.lastUid).toBe(2n);
    expect(w.log.filter((e) => e.level === 'warn' && e.msg.startsWith('MOVE failed'))).toHaveLength(2);
    expect(await subjectsIn(user, 'INBOX')).toEqual(['stays-1', 'stays-2']);
  });

  it('refuses MOVE without moveTo, or into the folder being watched', () => {
    const base = { folder: 'INBOX', startFrom: new Date(), handle: () => Promise.resolve<Handled>({ outcome: 'done' }), checkpoints: new MemoryStore(), onState: () => undefined };
    const login = () => Promise.reject(new Error('not called'));
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(() => new MailboxWatcher({ ...base, login, log, afterProcessing: { action: 'MOVE' } })).toThrow(/needs a moveTo/);
    expect(() => new MailboxWatcher({ ...base, login, log, afterProcessing: { action: 'MOVE', moveTo: 'inbox' } })).toThrow(/folder being watched/);
    expect(() => new MailboxWatcher({ ...base, login, log, afterProcessing: { action: 'LEAVE' }, maxIdleMs: 30 * 60_000 })).toThrow(/under 29 minutes/);
  });
});

describe('failures', () => {
  let proxy: Proxy;
  beforeAll(async () => {
    proxy = await startProxy(dovecot.imapPort);
  });
  afterEach(() => {
    proxy.mode = 'pass';
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('after a dropped connection waits, reconnects with backoff and sweeps up the mail delivered meanwhile', async () => {
    const user = freshUser();
    const w = watch({ user, port: proxy.port, retryDelayMs: () => 200 });
    await dovecot.deliver(user, mail('before'));
    await until('before', () => w.offers.length === 1);
    await until('IDLE', () => w.state() === 'idle');

    proxy.mode = 'refuse';
    proxy.cut();
    await until('waiting', () => w.state() === 'waiting');
    await dovecot.deliver(user, mail('while-down-1'));
    await dovecot.deliver(user, mail('while-down-2'));
    const logins = w.logins();
    await until('two more attempts', () => w.logins() >= logins + 2);
    expect(w.offers).toHaveLength(1);

    proxy.mode = 'pass';
    await until('the sweep', () => w.offers.length === 3);
    await until('IDLE', () => w.state() === 'idle');
    expect(w.subjects()).toEqual(['before', 'while-down-1', 'while-down-2']);
    expect(w.states).toContainEqual(expect.objectContaining({ state: 'waiting', retryInMs: 200 }));
    // And IDLE works again on the new connection.
    await dovecot.deliver(user, mail('after'));
    await until('after', () => w.offers.length === 4);
  });

  it("stops on a revoked token ('auth-failed') without trying again, and kick() resumes from the checkpoint", async () => {
    const user = 'oauth-revoked@example.com';
    let token = tokeninfo.issue(user);
    const w = watch({ user, login: () => Promise.resolve({ host: '127.0.0.1', port: proxy.port, secure: false, auth: { user, accessToken: token } }) });
    await dovecot.deliver(user, mail('first'));
    await until('first', () => w.offers.length === 1);

    tokeninfo.revoke(token);
    proxy.cut();
    await until('auth-failed', () => w.state() === 'auth-failed');
    expect(w.states.at(-1)).toEqual({ state: 'auth-failed', reason: expect.stringContaining('[AUTHENTICATIONFAILED]') });
    const logins = w.logins();
    const asked = tokeninfo.asked.get(token);
    await dovecot.deliver(user, mail('while-refused'));
    await sleep(1000); // ten backoffs' worth
    expect(w.logins()).toBe(logins);
    expect(tokeninfo.asked.get(token)).toBe(asked);

    token = tokeninfo.issue(user);
    w.watcher.kick();
    await until('while-refused', () => w.offers.length === 2);
    expect(w.subjects()).toEqual(['first', 'while-refused']);
    expect(w.logins()).toBe(logins + 1);
  });

  it.each(['INVALID_GRANT', 'TESTING_APP_EXPIRED'])('stops when login() fails with %s, until kick()', async (code) => {
    const user = freshUser();
    let refused = true;
    const w = watch({
      user,
      login: () =>
        refused
          ? Promise.reject(Object.assign(new Error('Token has been expired or revoked.'), { code }))
          : Promise.resolve({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user, pass: PASSWORD } }),
    });
    await until('auth-failed', () => w.state() === 'auth-failed');
    expect(w.states.at(-1)).toEqual({ state: 'auth-failed', reason: expect.stringContaining(code) });
    await dovecot.deliver(user, mail('meanwhile'));
    await sleep(500);
    expect(w.logins()).toBe(1);
    refused = false;
    w.watcher.kick();
    await until('meanwhile', () => w.offers.length === 1);
  });

  it("waits and retries while the token checker is down ([UNAVAILABLE]), then carries on", async () => {
    const user = 'oauth-unavailable@example.com';
    const token = tokeninfo.issue(user);
    tokeninfo.down = true;
    try {
      const w = watch({ user, login: () => Promise.resolve({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user, accessToken: token } }) });
      await until('waiting', () => w.state() === 'waiting');
      expect(w.states.at(-1)).toMatchObject({ state: 'waiting', reason: expect.stringContaining('[UNAVAILABLE]') });
      await until('three attempts', () => w.logins() >= 3);
      expect(w.states.some((s) => s.state === 'auth-failed')).toBe(false);
      await dovecot.deliver(user, mail('while-down'));
      tokeninfo.down = false;
      await until('while-down', () => w.offers.length === 1);
      await until('IDLE', () => w.state() === 'idle');
    } finally {
      tokeninfo.down = false;
    }
  });

  it('re-offers the mail of a folder that was deleted and recreated (new UIDVALIDITY), and loses none', async () => {
    const user = freshUser();
    const startFrom = new Date(Date.now() - 60 * 60_000);
    await withClient(user, (c) => c.mailboxCreate('Support'));
    await appendAt(user, 's1', new Date(Date.now() - 10 * 60_000), 'Support');
    await appendAt(user, 's2', new Date(Date.now() - 5 * 60_000), 'Support');
    const w = watch({ user, folder: 'Support', startFrom, retryDelayMs: () => 1000 });
    await until('s1, s2', () => w.offers.length === 2);
    const before = w.store.current!;

    // Dovecot ends the watcher's connection when it notices its folder is gone, and the watcher then
    // finds no folder to open. (Recreated within Dovecot's 1 s check, the old session would go on
    // idling on the old folder.)
    await withClient(user, (c) => c.mailboxDelete('Support'));
    await until('no folder', () => w.states.some((s) => s.state === 'waiting' && /could not be opened/.test(s.reason)));
    // Filled on one connection before the next attempt: mail added after the watcher is back is new mail.
    await withClient(user, async (c) => {
      await c.mailboxCreate('Support');
      await c.append('Support', mail('older-than-startFrom'), [], new Date(startFrom.getTime() - 60_000));
      await c.append('Support', mail('s1'), [], new Date(Date.now() - 10 * 60_000));
      await c.append('Support', mail('s2'), [], new Date(Date.now() - 5 * 60_000));
      await c.append('Support', mail('s3'), []);
    });
    await until('re-offered', () => w.offers.length === 5);
    await until('IDLE', () => w.state() === 'idle');

    expect(w.subjects()).toEqual(['s1', 's2', 's1', 's2', 's3']);
    expect(w.store.current!.uidValidity).not.toBe(before.uidValidity);
    expect(w.store.current!.lastUid).toBe(4n);
    expect(w.log).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('UIDVALIDITY changed') }));
  });

  it('stops within a second: mid-IDLE, mid-backoff, mid-connect and mid-login', async () => {
    const idle = watch({ user: freshUser() });
    await until('IDLE', () => idle.state() === 'idle');
    let started = Date.now();
    await stop(idle);
    const midIdle = Date.now() - started;

    proxy.mode = 'refuse';
    const backoff = watch({ user: freshUser(), port: proxy.port, retryDelayMs: () => 60_000 });
    await until('waiting', () => backoff.state() === 'waiting');
    started = Date.now();
    await stop(backoff);
    const midBackoff = Date.now() - started;

    // A server that accepts and never greets: connect() alone would wait 15 s for the greeting.
    proxy.mode = 'blackhole';
    const accepted = proxy.accepted;
    const hanging = watch({ user: freshUser(), port: proxy.port });
    await until('connected to the black hole', () => proxy.accepted > accepted);
    started = Date.now();
    await stop(hanging);
    const midConnect = Date.now() - started;

    // A token refresh that never answers.
    const stuck = watch({ user: freshUser(), login: () => new Promise<ImapLogin>(() => undefined) });
    await until('login() called', () => stuck.logins() === 1);
    started = Date.now();
    await stop(stuck);
    const midLogin = Date.now() - started;

    console.log(`stop(): mid-IDLE ${midIdle} ms, mid-backoff ${midBackoff} ms, mid-connect ${midConnect} ms, mid-login ${midLogin} ms`);
    for (const ms of [midIdle, midBackoff, midConnect, midLogin]) expect(ms).toBeLessThan(1000);
    for (const w of [idle, backoff, hanging, stuck]) expect(w.states.at(-1)).toEqual({ state: 'stopped' });
  });

  it('stop() during handle() waits for it and saves its checkpoint', async () => {
    const user = freshUser();
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const w = watch({ user, verdict: async () => (await gate, { outcome: 'done' }) });
    await dovecot.deliver(user, mail('slow'));
    await until('offer', () => w.offers.length === 1);
    let stopped = false;
    const stopping = stop(w).then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(w.store.current!.lastUid).toBe(1n);
  });
});

describe('re-entering IDLE and polling', () => {
  it('leaves IDLE every maxIdleMs to sweep, and re-enters it at once', async () => {
    const user = freshUser();
    const w = watch({ user, maxIdleMs: 400 });
    await until('IDLE', () => w.state() === 'idle');
    await sleep(1500);
    const idles = w.states.filter((s) => s.state === 'idle').length;
    expect(idles).toBeGreaterThanOrEqual(3);
    await dovecot.deliver(user, mail('still-heard'));
    await until('still-heard', () => w.offers.length === 1);
  });

  it('polls every pollIntervalMs on a server that does not offer IDLE', async () => {
    const noIdle = await startDovecot({ tokeninfoUrl: tokeninfo.url, passwordUsers: [{ user: USERS[0]!, password: PASSWORD }] });
    try {
      await withoutIdle(noIdle);
      const user = USERS[0]!;
      const w = watch({ user, port: noIdle.imapPort, pollIntervalMs: 300 });
      await until('polling', () => w.state() === 'polling');
      const delays: number[] = [];
      for (let i = 1; i <= 10; i++) {
        // Mail comes at any moment of the interval, not just after a poll.
        await sleep(Math.random() * 300);
        const sent = Date.now();
        await noIdle.deliver(user, mail(`p${i}`));
        await until(`p${i}`, () => w.offers.length === i);
        delays.push(w.offers[i - 1]!.at - sent);
      }
      console.log(`deliver → handle polling every 300 ms, 10 mails: median ${median(delays)} ms, max ${Math.max(...delays)} ms`);
      expect(w.states.some((s) => s.state === 'idle')).toBe(false);
      expect(Math.max(...delays)).toBeLessThan(300 + 500);
      await stop(w);

      // kick() syncs at once instead of at the next poll.
      const slow = watch({ user, port: noIdle.imapPort, pollIntervalMs: 60_000, checkpoints: w.store });
      await until('polling', () => slow.state() === 'polling');
      await noIdle.deliver(user, mail('kicked'));
      const kicked = Date.now();
      slow.watcher.kick();
      await until('kicked', () => slow.offers.length === 1, 1000);
      expect(slow.subjects()).toEqual(['kicked']);
      console.log(`kick() → handle while polling every 60 s: ${slow.offers[0]!.at - kicked} ms`);
    } finally {
      await noIdle.stop();
    }
  });
});

/**
 * Makes a running Dovecot advertise everything it does now except IDLE. Dovecot 2.3 cannot remove one
 * capability (`imap_capability` only replaces the list, or adds to it with '+'), so the list is written out.
 */
async function withoutIdle(server: Dovecot): Promise<void> {
  const capabilities = await withCapabilities(server);
  const list = capabilities.filter((c) => c !== 'IDLE' && !c.startsWith('AUTH=') && c !== 'LOGINDISABLED');
  const file = path.join(server.dir, 'dovecot.conf');
  const config = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, config.replace('protocol imap {', `protocol imap {\n  imap_capability = ${list.join(' ')}`));
  await promisify(execFile)('doveadm', ['-c', file, 'reload']);
  const deadline = Date.now() + 5000;
  while ((await withCapabilities(server)).includes('IDLE')) {
    if (Date.now() > deadline) throw new Error('Dovecot still offers IDLE after the reload.');
    await sleep(50);
  }
}

async function withCapabilities(server: Dovecot): Promise<string[]> {
  const client = await mailClient(USERS[0]!, server.imapPort);
  try {
    return [...client.capabilities.keys()];
  } finally {
    await client.logout();
  }
}
