// A stand-in for smtp.gmail.com for the tests: smtp-server taking XOAUTH2 with the tokens the Dovecot
// instance accepts (same tokeninfo endpoint, same rules), refusing a bad token with Gmail's exact
// answer (a 334 challenge, then 535: nodemailer refreshes its token only after that challenge), and
// handing every message it accepts to Dovecot over LMTP so a test can read it back over IMAP.
import type { AddressInfo } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerAuthenticationResponse, type SMTPServerSession } from 'smtp-server';
import type { PasswordUser } from './dovecot.js';
import { freePort } from './net.js';
import { GMAIL_SCOPE, checkToken } from './tokeninfo.js';

export interface SmtpServerOptions {
  /** The tokeninfo endpoint, as given to startDovecot. */
  tokeninfoUrl: string;
  /** Where accepted messages go: the Dovecot instance's LMTP port. */
  deliverTo: { host: string; port: number };
  /** Mailboxes that may send with a password (PLAIN/LOGIN). */
  passwordUsers?: PasswordUser[];
}

export interface SentMessage {
  /** Who logged in to send it. */
  user: string;
  /** MAIL FROM ('' for the null sender). */
  from: string;
  /** RCPT TO, in order. */
  to: string[];
  raw: string;
}

export interface SmtpServer {
  host: string;
  port: number;
  /** Every message accepted and delivered, oldest first. */
  sent: SentMessage[];
  stop(): Promise<void>;
}

/** What Gmail returns to a rejected XOAUTH2 token, base64'd by smtp-server into the 334 line. */
const GMAIL_BAD_TOKEN = { status: '400', schemes: 'Bearer', scope: GMAIL_SCOPE };
// Pooled clients keep idle connections open; stop() should not wait smtp-server's 30 s for them.
const CLOSE_TIMEOUT_MS = 250;

type AuthCallback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

export async function startSmtpServer(options: SmtpServerOptions): Promise<SmtpServer> {
  const sent: SentMessage[] = [];
  const passwords = new Map((options.passwordUsers ?? []).map((u) => [u.user.toLowerCase(), u.password]));
  const lmtp = nodemailer.createTransport({ host: options.deliverTo.host, port: options.deliverTo.port, lmtp: true, secure: false, ignoreTLS: true });

  const server = new SMTPServer({
    authMethods: ['XOAUTH2', 'PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    authOptional: false,
    logger: false,
    closeTimeout: CLOSE_TIMEOUT_MS,
    onAuth(auth, _session, callback: AuthCallback) {
      if (auth.method === 'XOAUTH2') {
        void authenticateToken(options.tokeninfoUrl, auth, callback);
        return;
      }
      // Only the configured password users may use PLAIN/LOGIN; an OAuth mailbox has no password.
      const expected = passwords.get((auth.username ?? '').toLowerCase());
      if (auth.username && expected !== undefined && auth.password === expected) {
        callback(null, { user: auth.username });
        return;
      }
      callback(null, { responseCode: 535, message: '5.7.8 Username and Password not accepted.' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (err) => callback(err));
      stream.once('end', () => {
        void forward(lmtp, session, Buffer.concat(chunks)).then(
          (message) => {
            sent.push(message);
            callback(null, 'OK: queued');
          },
          (err: Error) => callback(Object.assign(new Error(`4.3.0 Could not hand the message to Dovecot: ${err.message}`), { responseCode: 451 })),
        );
      });
    },
  });

  // Retry on a port taken between freePort() and listen().
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          resolve();
        });
      });
      break;
    } catch (err) {
      if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    sent,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      lmtp.close();
    },
  };
}

async function authenticateToken(tokeninfoUrl: string, auth: SMTPServerAuthentication, callback: AuthCallback): Promise<void> {
  const user = auth.username ?? '';
  const result = await checkToken(tokeninfoUrl, user, auth.accessToken ?? '');
  if (result.ok) {
    callback(null, { user });
  } else if (result.temporary) {
    // Gmail's answer when it cannot check a token right now: try again later, the token may be fine.
    callback(Object.assign(new Error('4.7.0 Try again later (AUTH): the token could not be checked.'), { responseCode: 454 }));
  } else {
    callback(null, { data: GMAIL_BAD_TOKEN });
  }
}

async function forward(lmtp: Transporter, session: SMTPServerSession, raw: Buffer): Promise<SentMessage> {
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const to = session.envelope.rcptTo.map((r) => r.address);
  const info = await lmtp.sendMail({ envelope: { from, to }, raw });
  const rejected = info.rejected ?? [];
  if (rejected.length > 0) {
    throw new Error(`Dovecot refused ${rejected.map(String).join(', ')}: ${info.response}`);
  }
  return { user: String(session.user), from, to, raw: raw.toString('utf8') };
}
