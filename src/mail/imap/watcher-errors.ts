// Why a watcher's connection ended, sorted by what the watcher does next: try again after a backoff,
// or stop until kick() because the credentials were refused for good. Reconnecting in a loop with a
// revoked token would only hammer Google and lock the account out.
import { isNetworkError } from '../problems.js';

export type WatcherErrorCode =
  | 'WATCHER_BAD_OPTIONS'
  | 'LOGIN_REVOKED'
  | 'LOGIN_FAILED'
  | 'IMAP_AUTH_REJECTED'
  | 'IMAP_AUTH_UNAVAILABLE'
  | 'IMAP_UNREACHABLE'
  | 'IMAP_CONNECT_FAILED'
  | 'IMAP_FOLDER_UNAVAILABLE'
  | 'IMAP_SEARCH_REFUSED'
  | 'IMAP_MESSAGE_UNREADABLE'
  | 'CHECKPOINT_STORE_FAILED';

export class WatcherError extends Error {
  constructor(
    readonly code: WatcherErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WatcherError';
  }
}

/** What only a new authorization can fix; everything else is retried. */
export function isFinal(err: unknown): boolean {
  return err instanceof WatcherError && (err.code === 'LOGIN_REVOKED' || err.code === 'IMAP_AUTH_REJECTED');
}

// The codes the token layer gives a refresh token Google will never accept again.
const REVOKED_GRANT = new Set(['INVALID_GRANT', 'TESTING_APP_EXPIRED']);

export function loginFailure(err: unknown): WatcherError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && REVOKED_GRANT.has(code)) {
    return new WatcherError('LOGIN_REVOKED', `The mailbox's authorization was revoked or has expired (${code}): ${describe(err)}`, { cause: err });
  }
  return new WatcherError('LOGIN_FAILED', `No credentials for the mailbox could be obtained: ${describe(err)}`, { cause: err });
}

interface ImapFlowFailure {
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  code?: string;
}

export function connectFailure(err: unknown, where: string): WatcherError {
  const e = (err ?? {}) as ImapFlowFailure;
  // A token checker that is down also fails the login, but answers [UNAVAILABLE] (TESTING.md).
  if (e.authenticationFailed && e.serverResponseCode === 'UNAVAILABLE') {
    return new WatcherError('IMAP_AUTH_UNAVAILABLE', `${where} could not check the credentials right now: ${describe(err)}`, { cause: err });
  }
  if (e.authenticationFailed) {
    return new WatcherError('IMAP_AUTH_REJECTED', `${where} refused the credentials: ${describe(err)}`, { cause: err });
  }
  if (isNetworkError(e)) {
    return new WatcherError('IMAP_UNREACHABLE', `${where} could not be reached: ${describe(err)}`, { cause: err });
  }
  return new WatcherError('IMAP_CONNECT_FAILED', `Connecting to ${where} failed: ${describe(err)}`, { cause: err });
}

/** One line for logs and the admin UI: the server's own words when it gave any. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof WatcherError) return err.message;
  const e = err as Error & { responseText?: string; serverResponseCode?: string; code?: unknown };
  // imapflow keeps the server's [CODE] apart from its text; the code is what tells the cases apart.
  const said = e.serverResponseCode && e.responseText ? `[${e.serverResponseCode}] ${e.responseText}` : (e.responseText ?? e.message);
  return typeof e.code === 'string' && !said.includes(e.code) ? `${said} (${e.code})` : said;
}
