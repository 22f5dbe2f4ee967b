// The real mail servers and browser the later tests stand on: they must accept exactly the tokens Gmail
// would, fail as Gmail fails (a revoked token vs. a checker that is down), carry mail from SMTP to IMAP,
// and load an admin page with a stand-in AP without touching the internet.
import fs from 'node:fs/promises';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { listen, type Listening } from '../../dev/http.js';
import { startDovecot, type Dovecot } from '../../dev/mail/dovecot.js';
import { startSmtpServer, type SmtpServer } from '../../dev/mail/smtp.js';
import { apCalls, launchBrowser, openAdminPage } from '../helpers/browser.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const PLAIN = { user: 'plain@example.com', password: 'secret' };

/** Google's tokeninfo as the test wants it: known tokens answer 200, others 400, everything 503 when down. */
interface Tokeninfo {
  url: string;
  down: boolean;
  issue(email: string, scope?: string): string;
  close(): Promise<void>;
}

async function startTokeninfo(): Promise<Tokeninfo> {
  const tokens = new Map<string, { email: string; scope: string }>();
  let down = false;
  const server: Listening = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const info = tokens.get(url.searchParams.get('access_token') ?? '');
    if (url.pathname !== '/tokeninfo') res.writeHead(404).end();
    else if (down) res.writeHead(503).end(JSON.stringify({ error: 'backend_error' }));
    else if (!info) res.writeHead(400).end(JSON.stringify({ error: 'invalid_token', error_description: 'Invalid Value' }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...info, expires_in: 3599, email_verified: 'true' }));
  });
  return {
    url: `${server.url}/tokeninfo`,
    get down() {
      return down;
    },
    set down(value: boolean) {
      down = value;
    },
    issue(email, scope = 'https://mail.google.com/') {
      const token = `ya29.${randomBytes(12).toString('hex')}`;
      tokens.set(token, { email, scope });
      return token;
    },
    close: () => server.close(),
  };
}

let tokeninfo: Tokeninfo;
let dovecot: Dovecot;
let smtp: SmtpServer;

beforeAll(async () => {
  tokeninfo = await startTokeninfo();
  dovecot = await startDovecot({ tokeninfoUrl: tokeninfo.url, passwordUsers: [PLAIN] });
  smtp = await startSmtpServer({ tokeninfoUrl: tokeninfo.url, deliverTo: { host: dovecot.host, port: dovecot.lmtpPort }, passwordUsers: [PLAIN] });
});
afterAll(async () => {
  await smtp?.stop();
  await dovecot?.stop();
  await tokeninfo?.close();
});

function imap(auth: ImapFlowOptions['auth']): ImapFlow {
  const client = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, auth, logger: false, disableAutoIdle: true });
  // A refused login also emits 'error' once the socket closes; connect()'s rejection is what we check.
  client.on('error', () => undefined);
  return client;
}

/** What connect() threw, with imapflow's fields. */
async function loginError(auth: ImapFlowOptions['auth']) {
  const client = imap(auth);
  const err = await client.connect().then(
    () => undefined,
    (e: unknown) => e as { authenticationFailed?: boolean; serverResponseCode?: string },
  );
  client.close();
  if (!err) throw new Error('The login was expected to fail, and it succeeded.');
  return err;
}

/** Subjects of the messages in a mailbox, oldest first. */
async function subjects(auth: ImapFlowOptions['auth'], mailbox = 'INBOX'): Promise<string[]> {
  const client = imap(auth);
  await client.connect();
  try {
    const box = await client.mailboxOpen(mailbox);
    if (box.exists === 0) return [];
    const found: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true })) found.push(m.envelope?.subject ?? '');
    return found;
  } finally {
    await client.logout();
  }
}

const message = (from: string, to: string, subject: string) =>
  `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${randomBytes(6).toString('hex')}@example.com>\r\n\r\nHello.\r\n`;

describe('Dovecot', () => {
  it('logs in with a valid token and opens INBOX', async () => {
    const client = imap({ user: ALICE, accessToken: tokeninfo.issue(ALICE) });
    await client.connect();
    const box = await client.mailboxOpen('INBOX');
    expect(box.path).toBe('INBOX');
    await client.logout();
  });

  it('refuses a bad token, a token of another user and one without the Gmail scope as AUTHENTICATIONFAILED', async () => {
    // At once: each failure waits for Dovecot's 500 ms failure timer, which they can share.
    const tokens = ['ya29.unknown', tokeninfo.issue(BOB), tokeninfo.issue(ALICE, 'openid email')];
    const errors = await Promise.all(tokens.map((accessToken) => loginError({ user: ALICE, accessToken })));
    for (const err of errors) expect(err).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
  });

  it('answers UNAVAILABLE while the token checker is down, so a caller knows the token may be fine', async () => {
    const accessToken = tokeninfo.issue(ALICE);
    tokeninfo.down = true;
    try {
      expect(await loginError({ user: ALICE, accessToken })).toMatchObject({ authenticationFailed: true, serverResponseCode: 'UNAVAILABLE' });
    } finally {
      tokeninfo.down = false;
    }
  });

  it('does not delay a login after failed ones (the anvil penalty is off)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      await loginError({ user: ALICE, accessToken: 'ya29.revoked' });
      times.push(performance.now() - started);
    }
    const started = performance.now();
    const client = imap({ user: ALICE, accessToken: tokeninfo.issue(ALICE) });
    await client.connect();
    const goodLogin = performance.now() - started;
    await client.logout();
    // With the penalty on, the second failure would wait 2 s more (and a third 6 s). Each failure still
    // waits for Dovecot's 500 ms failure timer (it ticks even with auth_failure_delay = 0).
    for (const ms of times) expect(ms).toBeLessThan(1500);
    expect(goodLogin).toBeLessThan(1000);
  });

  it('delivers over LMTP and FETCH finds the message, with the Return-Path from the From header', async () => {
    await dovecot.deliver(ALICE, message('carol@example.net', ALICE, 'Delivered by LMTP'));
    const client = imap({ user: ALICE, accessToken: tokeninfo.issue(ALICE) });
    await client.connect();
    await client.mailboxOpen('INBOX');
    const found = await client.fetchOne('*', { envelope: true, source: true });
    expect(found && found.envelope?.subject).toBe('Delivered by LMTP');
    expect(found && found.source?.toString()).toContain('Return-Path: <carol@example.net>');
    await client.logout();
  });

  it('appends to any user\'s mailbox, creating it', async () => {
    const appended = await dovecot.append(BOB, message(BOB, 'dave@example.net', 'Filed by append'), 'Sent', ['\\Seen']);
    expect(appended.uid).toBe(1);
    expect(typeof appended.uidValidity).toBe('bigint');
    expect(await subjects({ user: BOB, accessToken: tokeninfo.issue(BOB) }, 'Sent')).toEqual(['Filed by append']);
  });

  it('logs a password user in with PLAIN/LOGIN, and refuses a wrong password', async () => {
    const client = imap({ user: PLAIN.user, pass: PLAIN.password });
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
    expect(await loginError({ user: PLAIN.user, pass: 'wrong' })).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
  });

  it('says why a login failed in its log', async () => {
    expect(await dovecot.logs()).toMatch(/oauth2\(alice@example\.com.*\)/);
  });
});

/** A raw SMTP dialogue, for what nodemailer does not show: the exact lines on the wire. */
async function smtpDialogue(lines: string[]): Promise<string[]> {
  const socket = net.connect({ host: smtp.host, port: smtp.port });
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    waiters.splice(0).forEach((w) => w());
  });
  /** The next complete reply (last line "NNN text"). */
  const reply = async (): Promise<string> => {
    for (;;) {
      const end = /^\d{3} .*\r\n/m.exec(buffer);
      if (end) {
        const text = buffer.slice(0, end.index + end[0].length);
        buffer = buffer.slice(text.length);
        return text.trimEnd();
      }
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const replies = [await reply()];
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    replies.push(await reply());
  }
  socket.destroy();
  return replies;
}

const xoauth2 = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');

function transport(auth: object) {
  return nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true, auth });
}

describe('SMTP server', () => {
  it('sends with an OAuth2 token, and the message arrives in the recipient\'s Dovecot INBOX', async () => {
    const subject = `Sent over SMTP ${randomBytes(3).toString('hex')}`;
    const info = await transport({ type: 'OAuth2', user: ALICE, accessToken: tokeninfo.issue(ALICE) }).sendMail({
      from: ALICE,
      to: BOB,
      subject,
      text: 'Hi Bob.',
    });
    expect(info.accepted).toEqual([BOB]);
    expect(smtp.sent.at(-1)).toMatchObject({ user: ALICE, from: ALICE, to: [BOB] });
    expect(smtp.sent.at(-1)?.raw).toContain(`Subject: ${subject}`);
    expect(await subjects({ user: BOB, accessToken: tokeninfo.issue(BOB) })).toContain(subject);
  });

  it('answers a bad token as Gmail does: a 334 challenge with the JSON error, then 535', async () => {
    const replies = await smtpDialogue(['EHLO test', `AUTH XOAUTH2 ${xoauth2(ALICE, 'ya29.revoked')}`, '']);
    expect(replies[1]).toContain('AUTH XOAUTH2 PLAIN LOGIN');
    expect(replies[2]).toMatch(/^334 /);
    expect(JSON.parse(Buffer.from(replies[2]!.slice(4), 'base64').toString())).toEqual({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' });
    expect(replies[3]).toMatch(/^535 /);

    const err = await transport({ type: 'OAuth2', user: ALICE, accessToken: 'ya29.revoked' })
      .sendMail({ from: ALICE, to: BOB, subject: 'Never sent', text: '.' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
  });

  it('answers 454 (try again later) while the token checker is down', async () => {
    const accessToken = tokeninfo.issue(ALICE);
    tokeninfo.down = true;
    try {
      const err = await transport({ type: 'OAuth2', user: ALICE, accessToken })
        .sendMail({ from: ALICE, to: BOB, subject: 'Never sent', text: '.' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'EAUTH', responseCode: 454 });
    } finally {
      tokeninfo.down = false;
    }
  });

  it('lets a password user send with PLAIN, but not an OAuth mailbox with any password', async () => {
    const subject = `Sent with a password ${randomBytes(3).toString('hex')}`;
    await transport({ user: PLAIN.user, pass: PLAIN.password }).sendMail({ from: PLAIN.user, to: PLAIN.user, subject, text: '.' });
    expect(await subjects({ user: PLAIN.user, pass: PLAIN.password })).toContain(subject);

    const err = await transport({ user: ALICE, pass: 'guess' })
      .sendMail({ from: ALICE, to: BOB, subject: 'Never sent', text: '.' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
  });

  it('refuses to send without logging in', async () => {
    const replies = await smtpDialogue(['EHLO test', `MAIL FROM:<${ALICE}>`]);
    expect(replies[2]).toMatch(/^530 /);
  });
});

describe('browser', () => {
  let browser: Browser;
  let site: Listening;

  beforeAll(async () => {
    browser = await launchBrowser();
    const app = express();
    app.get('/admin', (_req, res) => {
      res.type('html').send(`<!doctype html>
<script src="https://connect-cdn.atl-paas.net/all.js"></script>
<p id="token">waiting</p><p id="second"></p><p id="outside"></p>
<script>
(async () => {
  document.getElementById('token').textContent = await AP.context.getToken();
  AP.resize('100%', '300px');
  AP.flag.create({ title: 'Saved', type: 'success' });
  fetch('https://example.com/').then(() => 'reached', () => 'blocked').then((r) => (document.getElementById('outside').textContent = r));
})();
window.again = () => AP.context.getToken((t) => (document.getElementById('second').textContent = t));
</script>`);
    });
    site = await listen(app);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('serves the stand-in all.js: the page shows the token the test supplied, fresh on each call', async () => {
    let token = 'context-token-1';
    const tab = await openAdminPage(browser, `${site.url}/admin?xdm_e=https%3A%2F%2Fexample.atlassian.net&lic=none&cv=1001.0.0`, () => token);
    await expect.poll(() => tab.textContent('#token')).toBe('context-token-1');

    token = 'context-token-2';
    await tab.evaluate(() => (globalThis as unknown as { again(): void }).again());
    await expect.poll(() => tab.textContent('#second')).toBe('context-token-2');

    await expect.poll(() => tab.textContent('#outside')).toBe('blocked');
    expect((await apCalls(tab)).map((c) => c.method)).toEqual(['context.getToken', 'resize', 'flag.create', 'context.getToken']);
    expect((await apCalls(tab))[1]).toEqual({ method: 'resize', args: ['100%', '300px'] });
    await tab.close();
  });

  it('runs Chromium with a fresh profile folder that is gone after close', async () => {
    const before = await profileDirs();
    const own = await launchBrowser();
    const dirs = [...(await profileDirs())].filter((d) => !before.has(d));
    expect(dirs).toHaveLength(1);
    const dir = dirs[0]!;
    expect(dir).toMatch(/playwright_chromiumdev_profile-/);
    await own.close();
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

/** The --user-data-dir of each Chromium this process started, read from their command lines. */
async function profileDirs(): Promise<Set<string>> {
  const dirs = new Set<string>();
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the ")" that ends the command name.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) continue;
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const arg = cmdline.split('\0').find((a) => a.startsWith('--user-data-dir='));
    if (arg) dirs.add(arg.slice('--user-data-dir='.length));
  }
  return dirs;
}
