// "Test connection" for a Message Source: log in over IMAP (XOAUTH2/OAUTHBEARER with an access token,
// or a password) and open the folder it will watch.
import { ImapFlow } from 'imapflow';
import { isNetworkError, MailConnectionError, type MailAuth, type MailEndpoint } from '../problems.js';

export async function checkImap(server: MailEndpoint, auth: MailAuth, folder = 'INBOX'): Promise<void> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: server.tls,
    auth,
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  // imapflow also emits errors on the client; they are already reported through the promises below.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    const e = err as { authenticationFailed?: boolean; serverResponseCode?: string; responseText?: string; code?: string; message?: string };
    const said = e.responseText ?? e.message ?? String(err);
    // A token checker that is down answers UNAVAILABLE: temporary, unlike a revoked token.
    if (e.authenticationFailed && e.serverResponseCode === 'UNAVAILABLE') throw new MailConnectionError('MAIL_AUTH_UNAVAILABLE', said);
    if (e.authenticationFailed) throw new MailConnectionError('MAIL_AUTH_FAILED', said);
    if (isNetworkError(e)) throw new MailConnectionError('MAIL_UNREACHABLE', `${server.host}:${server.port}: ${said}`);
    throw new MailConnectionError('MAIL_ERROR', said);
  }
  try {
    await client.mailboxOpen(folder, { readOnly: true });
  } catch (err) {
    const e = err as { responseText?: string; message?: string };
    throw new MailConnectionError('MAIL_FOLDER_MISSING', `${folder}: ${e.responseText ?? e.message ?? String(err)}`);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
