// The benchmark's IMAP side beside the watcher: a client that APPENDs as a mail client would, a log of
// when the watcher's own connection is told of new mail (to time Dovecot's announcement), and a
// proxy that hides IDLE from the watcher so it polls as it does on a server without IDLE.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import type { Stack } from '../dev/stack.js';

/** Logs in to the account's mailbox with an access token from our own token store. */
export async function connect(stack: Stack, account: string, credentialId: string, tenantId = stack.tenantId): Promise<ImapFlow> {
  const dovecot = stack.dovecot!;
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    auth: { user: account, accessToken: await stack.services.tokens.get(tenantId, credentialId) },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** APPENDs into INBOX; returns the UID Dovecot gave the message. */
export async function append(client: ImapFlow, raw: Buffer): Promise<number> {
  const result = await client.append('INBOX', raw);
  if (!result || result.uid === undefined) throw new Error('Dovecot did not report the UID of the appended message');
  return result.uid;
}

/**
 * When the watcher's connection was told of new mail. imapflow turns Dovecot's untagged EXISTS into an
 * 'exists' event on the client; wrapping ImapFlow's emit records it for every client in this process,
 * the watcher's included, without touching src/.
 */
export class ExistsLog {
  private readonly seen: { count: number; at: number }[] = [];

  static install(): ExistsLog {
    const log = new ExistsLog();
    const emit = Reflect.get(ImapFlow.prototype, 'emit') as (this: ImapFlow, event: string | symbol, ...args: unknown[]) => boolean;
    ImapFlow.prototype.emit = function (this: ImapFlow, event: string | symbol, ...args: unknown[]) {
      if (event === 'exists') log.seen.push({ count: (args[0] as { count: number }).count, at: performance.now() });
      return emit.call(this, event, ...args);
    };
    return log;
  }

  /** When a connection was first told that a folder holds more than `count` messages, after `since`. */
  async after(count: number, since: number, timeoutMs = 10_000): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.seen.find((s) => s.at >= since && s.count > count);
      if (hit) return hit.at;
      if (performance.now() > end) throw new Error(`no EXISTS above ${count} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Forgets what was seen, so a long run does not search an ever longer list. */
  clear(): void {
    this.seen.length = 0;
  }
}

// Where Dovecot lists its capabilities: the greeting, a CAPABILITY answer, and the tagged OK of a login.
const CAPABILITY_LINE = /^(\* OK \[CAPABILITY |\* CAPABILITY |[A-Za-z0-9.]+ OK \[CAPABILITY )/;

/** Drops IDLE from the capability lists in one chunk of the server's output. */
function withoutIdle(chunk: Buffer): Buffer {
  const text = chunk.toString('latin1');
  if (!text.includes('CAPABILITY')) return chunk;
  // Only whole lines that list capabilities change; message content passes byte for byte. A line split
  // across chunks is not rewritten, which the greeting and login answers (one small packet) never are.
  const lines = text.split('\r\n').map((line) => (CAPABILITY_LINE.test(line) ? line.replace(/ IDLE(?=[ \]]|$)/g, '') : line));
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

export interface Proxy {
  host: '127.0.0.1';
  port: number;
  close(): Promise<void>;
}

/** A TCP proxy in front of Dovecot that makes it look like a server without IDLE. */
export async function noIdleProxy(upstream: { host: string; port: number }): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const server = net.connect(upstream);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => server.write(d));
    server.on('data', (d: Buffer) => client.write(withoutIdle(d)));
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
