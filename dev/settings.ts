// The settings (src/config.ts names) and the HTTP server that point the app at the local stand-ins,
// shared by the stack of the scripts (dev/stack.ts) and the tests' harness: one place that knows how
// the Google emulator, Dovecot and the SMTP server replace Google's endpoints and Gmail's servers.
import type { Server } from 'node:http';
import type { WebApp } from '../src/app.js';
import type { GoogleEmulator } from './google/emulator.js';
import type { Dovecot } from './mail/dovecot.js';
import type { SmtpServer } from './mail/smtp.js';

/** Registers our OAuth client at the Google emulator, its redirect URI on the app's port. */
export function googleEnv(google: GoogleEmulator, port: number): Record<string, string> {
  const client = google.registerClient({ redirectUris: [`http://127.0.0.1:${port}/oauth/google/callback`] });
  return {
    GOOGLE_CLIENT_ID: client.clientId,
    GOOGLE_CLIENT_SECRET: client.clientSecret,
    GOOGLE_AUTH_URL: google.authUrl,
    GOOGLE_TOKEN_URL: google.tokenUrl,
    GOOGLE_REVOKE_URL: google.revokeUrl,
    GOOGLE_CERTS_URL: google.certsUrl,
  };
}

/** Dovecot plays Gmail's IMAP server (plain TCP on loopback). */
export function imapEnv(dovecot: Dovecot): Record<string, string> {
  return { GMAIL_IMAP_HOST: dovecot.host, GMAIL_IMAP_PORT: String(dovecot.imapPort), GMAIL_IMAP_TLS: 'false' };
}

/** The SMTP server plays Gmail's (plain TCP on loopback). */
export function smtpEnv(smtp: SmtpServer): Record<string, string> {
  return { GMAIL_SMTP_HOST: smtp.host, GMAIL_SMTP_PORT: String(smtp.port), GMAIL_SMTP_TLS: 'false' };
}

export function serve(web: WebApp, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = web.app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Closes the server now, keep-alive connections included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
