// `npm start` on a machine with nothing installed: the server runs its own PostgreSQL under DATA_DIR,
// keeps it across restarts, and a bad setting stops it with one line naming the variable.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraEmulator } from '../../dev/jira/emulator.js';
import { freePort } from '../../src/store/embedded-postgres.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const MAIN = path.join(PROJECT_ROOT, 'src', 'main.ts');
// The server runs from another working directory, to show it finds its files by itself.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|ENCRYPTION_KEY|PORT|BASE_URL|NODE_ENV|DATA_DIR|LOG_LEVEL)$/.test(k)));
  const child = spawn(process.execPath, ['--import', TSX, MAIN], { cwd: os.tmpdir(), env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function healthy(url: string, within = 30_000) {
  const until = Date.now() + within;
  while (Date.now() < until) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy`);
}

let dataDir: string;
let jira: JiraEmulator;

beforeAll(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-start-'));
  await fs.chmod(base, 0o755);
  dataDir = path.join(base, 'data');
  jira = await JiraEmulator.start();
});
afterAll(async () => {
  await jira.stop();
  await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
});

describe('npm start with no DATABASE_URL', () => {
  it('runs an embedded PostgreSQL in DATA_DIR, says so once, and keeps tenants across a restart', async () => {
    const port = String(await freePort());
    const env = { PORT: port, DATA_DIR: dataDir, CONNECT_KEYS_CDN_URL: jira.keysCdnUrl, BASE_URL: `http://127.0.0.1:${port}` };
    const first = run(env);
    await healthy(env.BASE_URL);
    const descriptor = (await (await fetch(`${env.BASE_URL}/atlassian-connect.json`)).json()) as { baseUrl: string };
    expect(descriptor.baseUrl).toBe(env.BASE_URL);
    const lines = first.output().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.filter((l) => /embedded PostgreSQL/.test(l.msg))).toHaveLength(1);
    expect(lines.find((l) => /ENCRYPTION_KEY is not set/.test(l.msg))?.level).toBe('warn');
    const key = await fs.readFile(path.join(dataDir, 'encryption-key'), 'utf8');
    expect((await fs.stat(path.join(dataDir, 'encryption-key'))).mode & 0o777).toBe(0o600);

    const site = await jira.createSite();
    expect((await site.install(env.BASE_URL)).status).toBe(204);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = run(env);
    await healthy(env.BASE_URL);
    expect(await fs.readFile(path.join(dataDir, 'encryption-key'), 'utf8')).toBe(key);
    const res = await fetch(`${env.BASE_URL}/api/installation`, { headers: { authorization: `JWT ${site.contextToken()}` } });
    expect(res.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});

describe('a bad setting', () => {
  it('stops the process with one line naming the variable', async () => {
    const r = run({ PORT: 'eighty', DATA_DIR: dataDir });
    expect(await r.exited).toBe(1);
    expect(r.output().trim()).toMatch(/^mailbridge: Invalid setting PORT: [^\n]+$/);
  });

  it('in production, a missing ENCRYPTION_KEY is an error, not a generated key', async () => {
    const r = run({ NODE_ENV: 'production', DATA_DIR: dataDir });
    expect(await r.exited).toBe(1);
    expect(r.output().trim()).toMatch(/^mailbridge: Invalid setting ENCRYPTION_KEY: is required when NODE_ENV=production/);
  });
});
