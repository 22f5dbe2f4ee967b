// Ports for the mail servers the tests start: free ones to hand out, and a wait until one listens.
import fs from 'node:fs/promises';
import net from 'node:net';

// One free-port finder for the whole project; the embedded PostgreSQL uses it too.
export { freePort } from '../../src/store/embedded-postgres.js';
import { freePort } from '../../src/store/embedded-postgres.js';

/** Distinct free ports: two calls in a row may otherwise get the same one back. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Resolves once something listens on 127.0.0.1:port; rejects when `alive()` turns false or time is up.
 * It reads the kernel's socket table instead of connecting where it can: a connection makes Dovecot
 * start a login process, and one still starting when Dovecot is told to stop delays the stop by 6 s.
 */
export async function waitForPort(port: number, alive: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await listening(port)) ?? (await accepts(port))) return;
    if (!alive()) throw new Error(`The server exited before port ${port} accepted connections.`);
    if (Date.now() > deadline) throw new Error(`Nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether /proc/net/tcp has 127.0.0.1:port in LISTEN state; undefined where there is no /proc. */
async function listening(port: number): Promise<boolean | undefined> {
  const table = await fs.readFile('/proc/net/tcp', 'utf8').catch(() => undefined);
  if (table === undefined) return undefined;
  // Addresses are little-endian hex (127.0.0.1 is 0100007F), state 0A is LISTEN.
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1] === local && fields[3] === '0A';
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
