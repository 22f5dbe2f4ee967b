// Pages outside Jira's iframe: Google's redirect back after Authorize (the state authenticates it,
// not a Connect JWT), and the page a Google Workspace admin follows to trust Mailbridge.
import { randomBytes } from 'node:crypto';
import type { Express, Response } from 'express';
import type { AuthorizationOutcome, AuthorizeFlow } from '../google/authorize.js';
import { handle } from '../api/routes.js';

export const CALLBACK_PATH = '/oauth/google/callback';
export const TRUST_PAGE_PATH = '/help/google-workspace';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:#172b4d;max-width:44em;margin:2.5em auto;padding:0 1em}
h1{font-size:1.5em}code{background:#f4f5f7;padding:.1em .3em;border-radius:3px;font-size:1.05em;word-break:break-all}
ol li{margin:.4em 0}.ok{color:#216e4e}.bad{color:#ae2e24}`;

/** Headers for pages that hold a code in their URL or run one inline script. */
function secure(res: Response, nonce: string) {
  res.set({
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}

function callbackPage(outcome: AuthorizationOutcome, origin: string, nonce: string): string {
  const ok = outcome.status === 'AUTHORIZED';
  const message = { type: 'mailbridge:authorization', ...outcome };
  // </script> cannot occur inside the JSON: every < is escaped.
  const json = JSON.stringify(message).replace(/</g, '\\u003c');
  const e = outcome.error;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Mailbridge: ${ok ? 'Authorized' : 'Not authorized'}</title><style>${STYLE}</style></head>
<body><main>
<h1 class="${ok ? 'ok' : 'bad'}">${ok ? 'Authorized' : 'Not authorized'}</h1>
${ok ? `<p>Mailbridge may now use <strong>${esc(outcome.email ?? '')}</strong>.</p>` : `<p>${esc(e?.message ?? '')}</p><p>${esc(e?.action ?? '')}</p>`}
${e?.link ? `<p><a href="${esc(e.link.url)}" target="_blank" rel="noopener">${esc(e.link.text)}</a></p>` : ''}
<p>You can close this window and go back to Jira.</p>
</main>
<script nonce="${nonce}">
(function () {
  var message = ${json};
  if (window.opener) window.opener.postMessage(message, ${JSON.stringify(origin)});
})();
</script>
</body></html>`;
}

function trustPage(clientId: string | undefined): string {
  const id = clientId ? `<code id="client-id">${esc(clientId)}</code>` : '<em>not set on this server yet (GOOGLE_CLIENT_ID)</em>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Trusting Mailbridge in Google Workspace</title><style>${STYLE}</style></head>
<body><main>
<h1>Trusting Mailbridge in Google Workspace</h1>
<p>Mailbridge turns mail in your Google Workspace mailboxes into Jira issues, and sends Jira's answers from them.
To read and send that mail it asks Google for the Gmail scope <code>https://mail.google.com/</code>.</p>
<h2>Why your admin has to trust it</h2>
<p>Google classes full Gmail access as a <strong>restricted scope</strong>. For apps any Google user could sign in to,
Google requires a verification and a yearly security assessment. Mailbridge does not ask consumer accounts at all:
it works only with Google Workspace mailboxes, and a Workspace admin can allow an app for their own domain by
trusting its OAuth client. Until then Google answers <code>admin_policy_enforced</code> or shows
"Access blocked" when someone clicks Authorize. Personal Google accounts (gmail.com) are not supported.</p>
<h2>Steps in the Google Admin console</h2>
<ol>
<li>Sign in to <a href="https://admin.google.com" rel="noopener">admin.google.com</a> as a super admin.</li>
<li>Go to <strong>Security → Access and data control → API controls</strong>.</li>
<li>Under <strong>App access control</strong>, click <strong>Manage third-party app access</strong>, then <strong>Add app → OAuth App Name Or Client ID</strong>.</li>
<li>Search for Mailbridge's OAuth client ID: ${id} and select the app.</li>
<li>Choose who it applies to: only the users whose mailboxes Mailbridge reads or sends from (a group or an
organizational unit with those mailboxes) need it; nobody else has to be included.</li>
<li>Set the access to <strong>Trusted</strong> and confirm.</li>
</ol>
<p>Changes can take a few minutes to reach Google's sign-in. Then, in Jira, open Apps → Messaging → Message Sources
(or Message Outbounds) and click <strong>Authorize</strong> again, signed in to Google as the mailbox.</p>
<h2>What Mailbridge keeps</h2>
<p>Only a refresh token per mailbox, encrypted in its database, to log in to Gmail over IMAP and SMTP. Deleting the
Message Source or Outbound, or uninstalling the app from Jira, revokes it at Google.</p>
</main></body></html>`;
}

export function oauthPageRoutes(app: Express, deps: { authorize: AuthorizeFlow; baseUrl: string; clientId: string | undefined }) {
  const origin = new URL(deps.baseUrl).origin;
  app.get(CALLBACK_PATH, handle(async (req, res) => {
    const outcome = await deps.authorize.complete(req.query);
    const nonce = randomBytes(16).toString('base64');
    secure(res, nonce);
    res.status(outcome.status === 'AUTHORIZED' ? 200 : 400).type('html').send(callbackPage(outcome, origin, nonce));
  }));
  app.get(TRUST_PAGE_PATH, (_req, res) => {
    secure(res, randomBytes(16).toString('base64'));
    res.type('html').send(trustPage(deps.clientId));
  });
}
