// Every way authorizing or reaching a mailbox can fail, in plain words with the fix. Pure: codes in,
// sentences out; the admin UI and the callback page show them as they are.
export interface Explanation {
  code: string;
  message: string;
  /** What to do about it. */
  action: string;
  link?: { url: string; text: string };
}

export interface ExplainContext {
  /** Our page for Workspace admins (trusting the OAuth client). */
  trustPageUrl: string;
  expectedEmail?: string | undefined;
  actualEmail?: string | undefined;
  /** Extra words from the server that failed, shown as they are. */
  detail?: string | undefined;
}

export type ProblemCode =
  | 'ADMIN_POLICY_ENFORCED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZATION_NOT_COMPLETED'
  | 'PERSONAL_ACCOUNT'
  | 'WRONG_ACCOUNT'
  | 'SCOPE_NOT_GRANTED'
  | 'EMAIL_NOT_VERIFIED'
  | 'NO_REFRESH_TOKEN'
  | 'INVALID_GRANT'
  | 'TESTING_APP_EXPIRED'
  | 'STATE_INVALID'
  | 'STATE_EXPIRED'
  | 'STATE_REPLAYED'
  | 'GOOGLE_NOT_CONFIGURED'
  | 'GOOGLE_UNAVAILABLE'
  | 'GOOGLE_ERROR'
  | 'NOT_AUTHORIZED'
  | 'MAIL_AUTH_FAILED'
  | 'MAIL_AUTH_UNAVAILABLE'
  | 'MAIL_UNREACHABLE'
  | 'MAIL_FOLDER_MISSING'
  | 'MAIL_ERROR';

export function explain(code: ProblemCode, ctx: ExplainContext): Explanation {
  const trust = { url: ctx.trustPageUrl, text: 'How a Google Workspace admin trusts Mailbridge' };
  const detail = ctx.detail ? ` (${ctx.detail})` : '';
  switch (code) {
    case 'ADMIN_POLICY_ENFORCED':
      return {
        code,
        message: 'Google blocked the access: your Google Workspace has not trusted Mailbridge yet (admin_policy_enforced).',
        action: 'Ask your Google Workspace admin to trust Mailbridge by its OAuth client ID, then click Authorize again.',
        link: trust,
      };
    case 'ACCESS_DENIED':
      return {
        code,
        message: 'Google did not grant access (access_denied).',
        action:
          'If you clicked Cancel, click Authorize again and choose Allow. If Google said your organization blocks the app, your Google Workspace admin must trust Mailbridge first.',
        link: trust,
      };
    case 'AUTHORIZATION_NOT_COMPLETED':
      return {
        code,
        message: 'The Google window was closed before access was granted.',
        action:
          'Click Authorize again and finish in the Google window. If Google showed "Access blocked" or admin_policy_enforced, your Google Workspace admin must trust Mailbridge first.',
        link: trust,
      };
    case 'PERSONAL_ACCOUNT':
      return {
        code,
        message: `Personal Google accounts are not supported, only Google Workspace accounts${ctx.actualEmail ? ` (${ctx.actualEmail} is a personal account)` : ''}.`,
        action: 'Click Authorize again and choose the Google Workspace mailbox (an address of your company domain).',
      };
    case 'WRONG_ACCOUNT':
      return {
        code,
        message: `You allowed access as ${ctx.actualEmail ?? 'another account'}, but this connection's Username is ${ctx.expectedEmail ?? 'another address'}.`,
        action: `Google uses the account you are signed in with. Open Jira in a private (incognito) window, signed in only to Jira, click Authorize and sign in to Google as ${ctx.expectedEmail ?? 'the mailbox'}. Or clear the Username to use ${ctx.actualEmail ?? 'this account'}.`,
      };
    case 'SCOPE_NOT_GRANTED':
      return {
        code,
        message: 'Access to Gmail was not granted: Google\'s consent screen lets you untick it, and Mailbridge cannot read or send mail without it.',
        action: 'Click Authorize again and leave "Read, compose, send and permanently delete all your email from Gmail" ticked.',
      };
    case 'EMAIL_NOT_VERIFIED':
      return { code, message: 'Google says this account\'s email address is not verified.', action: 'Verify the address in the Google account, then click Authorize again.' };
    case 'NO_REFRESH_TOKEN':
      return {
        code,
        message: 'Google granted access but sent no refresh token, so the access would stop within an hour.',
        action: 'Remove Mailbridge from the account\'s third-party access (myaccount.google.com → Security → Third-party apps), then click Authorize again.',
      };
    case 'INVALID_GRANT':
      return {
        code,
        message: 'Google no longer accepts this authorization (invalid_grant): it was revoked, the password changed, or it was unused for six months.',
        action: 'Click Re-authorize. Mail that arrives meanwhile waits in the mailbox and is processed afterwards.',
      };
    case 'TESTING_APP_EXPIRED':
      return {
        code,
        message: 'Google ended this authorization after seven days. Google does that when the OAuth client is left in "Testing" status.',
        action: 'Publish the OAuth client in the Google Cloud console (OAuth consent screen → Publish app, Internal is enough for Workspace), then click Re-authorize.',
      };
    case 'STATE_INVALID':
      return { code, message: 'This authorization link is not valid.', action: 'Close this window, go back to Jira and click Authorize again.' };
    case 'STATE_EXPIRED':
      return { code, message: 'This authorization link has expired (links last 10 minutes).', action: 'Close this window, go back to Jira and click Authorize again.' };
    case 'STATE_REPLAYED':
      return { code, message: 'This authorization link has already been used.', action: 'Close this window, go back to Jira and click Authorize again.' };
    case 'GOOGLE_NOT_CONFIGURED':
      return {
        code,
        message: 'Authorize is not set up on this Mailbridge server: it has no Google OAuth client.',
        action: 'The server operator must set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET.',
      };
    case 'GOOGLE_UNAVAILABLE':
      return { code, message: `Google could not be reached${detail}.`, action: 'Try again in a minute.' };
    case 'GOOGLE_ERROR':
      return { code, message: `Google refused the request${detail}.`, action: 'Try Authorize again; if it keeps failing, contact support with this message.' };
    case 'NOT_AUTHORIZED':
      return { code, message: 'This connection has not been authorized with Google yet.', action: 'Click Authorize and allow access, then Submit.' };
    case 'MAIL_AUTH_FAILED':
      return {
        code,
        message: `The mail server refused the login${detail}.`,
        action: ctx.expectedEmail
          ? `Check that the Username is the mailbox address (${ctx.expectedEmail}) and that IMAP is enabled for it in Gmail, then try again. If access was revoked, click Re-authorize.`
          : 'Check the Username and password, then try again.',
      };
    case 'MAIL_AUTH_UNAVAILABLE':
      return { code, message: `The mail server could not check the login right now${detail}.`, action: 'This is temporary. Try again in a minute.' };
    case 'MAIL_UNREACHABLE':
      return { code, message: `The mail server could not be reached${detail}.`, action: 'Check the host, port and TLS setting, and that the server accepts connections from the internet.' };
    case 'MAIL_FOLDER_MISSING':
      return { code, message: `The mailbox has no folder of that name${detail}.`, action: 'Check the folder name (INBOX for the inbox; Gmail labels are folders).' };
    case 'MAIL_ERROR':
      return { code, message: `The mail server answered with an error${detail}.`, action: 'Try again; if it keeps failing, contact support with this message.' };
  }
}

/** Google's `error` parameter on the callback, as one of our codes. */
export function codeForGoogleError(error: string): ProblemCode {
  if (error === 'access_denied') return 'ACCESS_DENIED';
  if (error === 'admin_policy_enforced' || error === 'org_internal') return 'ADMIN_POLICY_ENFORCED';
  return 'GOOGLE_ERROR';
}
