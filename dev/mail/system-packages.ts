// The real servers the tests start (Dovecot, Chromium) come from Debian packages, and a fresh CI machine
// has none of them. As root we install what is missing; otherwise we say the one command to run.
// vitest runs test files in parallel processes, so installs are serialised with a lock file: two
// apt-get runs at once would fail on dpkg's own lock instead of waiting for each other.
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts binaries; /usr/sbin (dovecot) is not on a normal user's PATH. */
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const LOCK_FILE = path.join(os.tmpdir(), 'mailbridge-apt.lock');
const LOCK_WAIT_MS = 15 * 60_000;
// Long enough for a Chromium install on a slow mirror; apt-get waits this long for dpkg's own lock too.
const APT_TIMEOUT_S = 600;

let updated = false;
let queue: Promise<unknown> = Promise.resolve();
const resolved = new Map<string, string>();

/**
 * Makes sure `binary` exists and each of `packages` is installed, installing them as root when not.
 * Returns the binary's absolute path. Safe to call from many test files at once.
 */
export async function ensureDebianPackages(binary: string, packages: string[]): Promise<string> {
  const key = `${binary}\0${packages.join(' ')}`;
  const known = resolved.get(key);
  if (known) return known;
  // One caller at a time in this process; the lock file takes care of the other processes.
  const result = queue.then(() => ensureSerialised(binary, packages));
  queue = result.catch(() => undefined);
  const found = await result;
  resolved.set(key, found);
  return found;
}

async function ensureSerialised(binary: string, packages: string[]): Promise<string> {
  const ready = await installed(binary, packages);
  if (ready) return ready;
  if (process.getuid?.() !== 0) {
    throw new Error(`sudo apt-get install -y ${packages.join(' ')}`);
  }
  const release = await lock();
  try {
    // Another process may have installed them while we waited for the lock.
    const now = await installed(binary, packages);
    if (now) return now;
    await apt(['update']);
    await apt(['install', '-y', ...packages]);
  } finally {
    await release();
  }
  const after = await installed(binary, packages);
  if (!after) {
    throw new Error(`apt-get installed ${packages.join(' ')}, but there is still no ${binary} on PATH or in ${SYSTEM_DIRS.join(', ')}.`);
  }
  return after;
}

/** The binary's path when it and every package are present, else undefined. */
async function installed(binary: string, packages: string[]): Promise<string | undefined> {
  const found = await which(binary);
  if (!found) return undefined;
  // Without dpkg (not Debian) the binary is all we can check; with it, a binary from one package
  // does not mean its siblings (dovecot-lmtpd beside dovecot-imapd) are there.
  const dpkgQuery = await which('dpkg-query');
  if (!dpkgQuery) return found;
  for (const name of packages) {
    const status = await run(dpkgQuery, ['-W', '-f=${Status}', name]).then(
      (r) => r.stdout,
      () => '',
    );
    if (!status.endsWith(' installed')) return undefined;
  }
  return found;
}

async function which(binary: string): Promise<string | undefined> {
  if (binary.includes('/')) return (await isExecutable(binary)) ? binary : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function apt(args: string[]): Promise<void> {
  if (args[0] === 'update' && updated) return;
  try {
    await run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_TIMEOUT_S}`, '-q', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: (APT_TIMEOUT_S + 60) * 1000,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`apt-get ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
  if (args[0] === 'update') updated = true;
}

/** Takes the cross-process lock: a file holding the owner's pid, taken over when that pid is gone. */
async function lock(): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await fs.open(LOCK_FILE, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => fs.rm(LOCK_FILE, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await ownerIsGone()) {
      await fs.rm(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Waited ${LOCK_WAIT_MS / 60_000} minutes for another package install to finish; remove ${LOCK_FILE} if none is running.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function ownerIsGone(): Promise<boolean> {
  const stat = await fs.stat(LOCK_FILE).catch(() => undefined);
  if (!stat) return false;
  const text = await fs.readFile(LOCK_FILE, 'utf8').catch(() => '');
  // An empty file is a lock being written this instant, unless it has been empty for a while.
  if (text === '') return Date.now() - stat.mtimeMs > 10_000;
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
