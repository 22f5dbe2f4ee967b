// A real Dovecot 2.3 for the tests: Gmail's IMAP is out of reach, and only a real server shows how our
// client copes with real answers (OAUTHBEARER/XOAUTH2, [UNAVAILABLE] vs [AUTHENTICATIONFAILED], IDLE).
// Each instance gets its own folder, config and free ports, checks tokens at the tokeninfo endpoint
// it is given, and takes mail over LMTP as an MTA would deliver it. The config and its pitfalls are
// described in /work/shared/TESTING.md.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { ensureDebianPackages } from './system-packages.js';
import { freePorts, waitForPort } from './net.js';
import { GMAIL_SCOPE, tokeninfoPrefix } from './tokeninfo.js';

export interface PasswordUser {
  user: string;
  password: string;
}

export interface DovecotOptions {
  /** The tokeninfo endpoint, e.g. `http://127.0.0.1:PORT/tokeninfo` (or Dovecot's `...?access_token=` form). */
  tokeninfoUrl: string;
  /** Mailboxes that log in with a password (PLAIN/LOGIN) instead of a token. */
  passwordUsers?: PasswordUser[];
}

export interface Dovecot {
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  /** The instance's folder: config, log, mail. */
  dir: string;
  /** Delivers a message to `to`'s INBOX over LMTP, as Gmail's MTA would; MAIL FROM is the From header's address. */
  deliver(to: string, raw: string | Buffer, from?: string): Promise<void>;
  /** Puts a message into any user's mailbox over IMAP (creating the mailbox), e.g. to fill Sent or a label. */
  append(user: string, raw: string | Buffer, mailbox?: string, flags?: string[]): Promise<{ uid?: number; uidValidity?: bigint }>;
  /** Dovecot's log so far, and what it printed before its log was open. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
// The harness's own login (`user*harness`) for append(): a Dovecot master user may act as anyone.
const MASTER_USER = 'harness';

const running = new Set<ChildProcess>();
const folders = new Set<string>();

export async function startDovecot(options: DovecotOptions): Promise<Dovecot> {
  const binary = await ensureDebianPackages('dovecot', ['dovecot-imapd', 'dovecot-lmtpd']);
  await checkVersion(binary);
  const owner = await mailOwner();
  // A port found free may be taken before Dovecot binds it; a new pair of ports fixes that.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, options, owner);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function checkVersion(binary: string): Promise<void> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  const version = stdout.trim();
  // 2.4 renamed most settings, so our config would not even load there.
  if (!/^2\.3\./.test(version)) {
    throw new Error(`The test IMAP server needs Dovecot 2.3, but ${binary} --version says "${version}"; install Debian 12's dovecot-imapd and dovecot-lmtpd.`);
  }
}

/** Who the mail processes run as; `self` is set when that is us rather than root's choice. */
interface MailOwner {
  uid: number;
  gid: number;
  self?: { user: string; group: string };
}

async function mailOwner(): Promise<MailOwner> {
  const uid = process.getuid?.() ?? 0;
  // As root, Dovecot switches to its own users and runs mail processes as nobody (TESTING.md).
  if (uid === 0) return { uid: 65534, gid: 65534 };
  // Otherwise everything runs as us, with no user switching and no chroot (both need root).
  const group = (await promisify(execFile)('id', ['-gn'])).stdout.trim();
  return { uid, gid: process.getgid?.() ?? uid, self: { user: os.userInfo().username, group } };
}

async function startOnce(binary: string, options: DovecotOptions, owner: MailOwner): Promise<Dovecot> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-dovecot-'));
  folders.add(dir);
  const [imapPort, lmtpPort] = (await freePorts(2)) as [number, number];
  const masterPassword = randomBytes(12).toString('hex');
  const remove = async () => {
    await fs.rm(dir, { recursive: true, force: true });
    folders.delete(dir);
  };
  const configFile = await writeConfig(dir, { ...options, imapPort, lmtpPort, masterPassword, owner }).catch(async (err: unknown) => {
    await remove();
    throw err;
  });

  const child = spawn(binary, ['-F', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A process that could not be spawned at all reports 'error' and may never report 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      output += `${err.message}\n`;
      if (child.pid === undefined) resolve();
    });
  });
  child.once('exit', () => running.delete(child));
  const alive = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;

  const readLogs = async () => `${output}${await fs.readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '')}`;

  try {
    await waitUntilStarted(dir, child, alive);
    await turnOffAuthPenalty(dir);
    await waitForPort(imapPort, alive, START_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    const log = await readLogs();
    await remove();
    if (/Address already in use/.test(log)) throw new PortTaken(log);
    throw new Error(`Dovecot did not start: ${(err as Error).message}\n${log}`, { cause: err });
  }

  return {
    host: HOST,
    imapPort,
    lmtpPort,
    dir,
    deliver: (to, raw, from) => deliver(lmtpPort, to, raw, from),
    append: (user, raw, mailbox, flags) => append(imapPort, masterPassword, user, raw, mailbox, flags),
    logs: readLogs,
    async stop() {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await remove();
    },
  };
}

interface ConfigValues extends DovecotOptions {
  imapPort: number;
  lmtpPort: number;
  masterPassword: string;
  owner: MailOwner;
}

/** Writes TESTING.md's config plus a master user for append(); returns the config file's path. */
async function writeConfig(dir: string, v: ConfigValues): Promise<string> {
  // Dovecot's own users and the mail user must reach the files below; mkdtemp makes the folder 0700.
  await fs.chmod(dir, 0o755);
  for (const sub of ['mail', 'home']) {
    await fs.mkdir(path.join(dir, sub));
    await fs.chown(path.join(dir, sub), v.owner.uid, v.owner.gid);
  }
  const users = (v.passwordUsers ?? []).map((u) => passwdLine(u.user, u.password)).join('');
  await fs.writeFile(path.join(dir, 'users.passwd'), users, { mode: 0o644 });
  await fs.writeFile(path.join(dir, 'master.passwd'), passwdLine(MASTER_USER, v.masterPassword), { mode: 0o644 });
  await fs.writeFile(
    path.join(dir, 'oauth2.conf.ext'),
    [
      `tokeninfo_url = ${tokeninfoPrefix(v.tokeninfoUrl)}`,
      'username_attribute = email',
      `scope = ${GMAIL_SCOPE}`,
      'timeout_msecs = 5000',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const configFile = path.join(dir, 'dovecot.conf');
  await fs.writeFile(configFile, config(dir, v), { mode: 0o644 });
  return configFile;
}

function passwdLine(user: string, password: string): string {
  if (/[:\s]/.test(user) || /[:\r\n]/.test(password)) {
    throw new Error(`A password user's name and password cannot contain ':' or line breaks (got user "${user}").`);
  }
  return `${user}:{PLAIN}${password}::::::\n`;
}

function config(d: string, v: ConfigValues): string {
  return `# Written by dev/mail/dovecot.ts for one test instance.
base_dir = ${d}/run
state_dir = ${d}/state
instance_name = mailbridge-test-${path.basename(d)}
protocols = imap lmtp
listen = ${HOST}
ssl = no
disable_plaintext_auth = no
log_path = ${d}/dovecot.log
auth_failure_delay = 0
# Says in the log why a login failed.
auth_verbose = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_master_user_separator = *
passdb {
  driver = passwd-file
  master = yes
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${d}/master.passwd
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${d}/oauth2.conf.ext
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${d}/users.passwd
}
userdb {
  driver = static
  args = uid=${v.owner.uid} gid=${v.owner.gid} home=${d}/home/%u allow_all_users=yes
}
mail_location = maildir:${d}/mail/%u
first_valid_uid = ${Math.min(500, v.owner.uid)}
mailbox_idle_check_interval = 1 secs
protocol imap {
  mail_max_userip_connections = 1000
}
service imap-login {${v.owner.self ? '\n  chroot =' : ''}
  inet_listener imap {
    address = ${HOST}
    port = ${v.imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = 1024
}
service lmtp {
  inet_listener lmtp {
    address = ${HOST}
    port = ${v.lmtpPort}
  }
}
${v.owner.self ? nonRoot(v.owner.self) : ''}`;
}

function nonRoot(self: { user: string; group: string }): string {
  return `default_internal_user = ${self.user}
default_internal_group = ${self.group}
default_login_user = ${self.user}
service anvil {
  chroot =
}
`;
}

/**
 * Dovecot writes master.pid only after it has bound every listener, so this waits for it instead of
 * connecting: a connection to the IMAP port would start the auth process before the penalty is off.
 */
async function waitUntilStarted(dir: string, child: ChildProcess, alive: () => boolean): Promise<void> {
  const pidFile = path.join(dir, 'run', 'master.pid');
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const pid = await fs.readFile(pidFile, 'utf8').catch(() => '');
    if (pid.trim() === String(child.pid)) return;
    if (!alive()) throw new Error(`dovecot exited with ${child.exitCode ?? child.signalCode}.`);
    if (Date.now() > deadline) throw new Error(`dovecot wrote no ${pidFile} within ${START_TIMEOUT_MS} ms.`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Every failed login from 127.0.0.1 would delay the next one by 2, 6, 10... seconds, and 2.3 has no
 * setting for it; without this socket the auth process cannot ask anvil for the penalty.
 */
async function turnOffAuthPenalty(dir: string): Promise<void> {
  const socket = path.join(dir, 'run', 'anvil-auth-penalty');
  try {
    await fs.unlink(socket);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Dovecot made no ${socket} to remove, so failed logins could still be delayed; has its layout changed?`, { cause: err });
    }
    throw err;
  }
}

async function deliver(lmtpPort: number, to: string, raw: string | Buffer, from?: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: HOST, port: lmtpPort, lmtp: true, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: from ?? fromHeader(raw) ?? '', to: [to] }, raw });
    if (info.rejected.length > 0) {
      throw new Error(`Dovecot refused the message for ${info.rejected.map(String).join(', ')}: ${info.response}`);
    }
  } finally {
    transport.close();
  }
}

/** The address in the From header, for MAIL FROM (Dovecot makes the Return-Path of it). */
function fromHeader(raw: string | Buffer): string | undefined {
  const text = (typeof raw === 'string' ? raw : raw.subarray(0, 64 * 1024).toString('utf8')).split(/\r?\n\r?\n/)[0] ?? '';
  const line = /^from:(.*(?:\r?\n[ \t].*)*)/im.exec(text)?.[1];
  if (!line) return undefined;
  return (/<([^<>\s]+@[^<>\s]+)>/.exec(line) ?? /([^\s<>",;]+@[^\s<>",;]+)/.exec(line))?.[1];
}

async function append(
  imapPort: number,
  masterPassword: string,
  user: string,
  raw: string | Buffer,
  mailbox = 'INBOX',
  flags?: string[],
): Promise<{ uid?: number; uidValidity?: bigint }> {
  const client = new ImapFlow({
    host: HOST,
    port: imapPort,
    secure: false,
    auth: { user: `${user}*${MASTER_USER}`, pass: masterPassword },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  try {
    if (mailbox.toUpperCase() !== 'INBOX') {
      const exists = (await client.list()).some((m) => m.path === mailbox);
      if (!exists) await client.mailboxCreate(mailbox);
    }
    const result = await client.append(mailbox, raw, flags);
    if (!result) throw new Error(`Dovecot did not append the message to ${user}'s ${mailbox}.`);
    return { uid: result.uid, uidValidity: result.uidValidity };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

// A test run that dies without stop() would leave Dovecot running on its ports; its children exit
// when the master does.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});
