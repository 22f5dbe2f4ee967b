// "Test connection" for a Message Outbound: connect and log in over SMTP (XOAUTH2 with an access
// token, or a password), without sending anything.
import nodemailer from 'nodemailer';
import { isNetworkError, MailConnectionError, type MailAuth, type MailEndpoint } from '../problems.js';

export async function checkSmtp(server: MailEndpoint, auth: MailAuth): Promise<void> {
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.tls,
    auth: 'accessToken' in auth ? { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken } : { user: auth.user, pass: auth.pass },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.verify();
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    const said = e.response ?? e.message ?? String(err);
    if (e.code === 'EAUTH' && e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) throw new MailConnectionError('MAIL_AUTH_UNAVAILABLE', said);
    if (e.code === 'EAUTH') throw new MailConnectionError('MAIL_AUTH_FAILED', said);
    if (isNetworkError(e)) throw new MailConnectionError('MAIL_UNREACHABLE', `${server.host}:${server.port}: ${said}`);
    throw new MailConnectionError('MAIL_ERROR', said);
  } finally {
    transport.close();
  }
}
