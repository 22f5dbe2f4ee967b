// The HTML of Google's sign-in pages as the emulator serves them: plain forms that post back, no script,
// so a browser test clicks through by accessible names (an account's email, "Allow", "Cancel") and a
// fetch test can follow the forms by hand. Wording follows Google's pages where a test may look for it.
import { describeScope, isBasic } from './scopes.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto}button{display:block;margin:.5rem 0;padding:.5rem 1rem}</style></head>
<body>
${body}
</body>
</html>
`;
}

export interface ErrorDetails {
  /** 400, 401... shown as "Error 400: <error>". */
  status: number;
  error: string;
  message: string;
  heading?: string;
  /** Google's "Request details" list: the parameters of the request. */
  details?: Record<string, string>;
}

export function errorPage(e: ErrorDetails): string {
  const details = Object.entries(e.details ?? {})
    .map(([k, v]) => `<li>${escape(k)}=${escape(v)}</li>`)
    .join('');
  return page(
    'Error',
    `<h1>${escape(e.heading ?? 'Access blocked: Authorization Error')}</h1>
<p>${escape(e.message)}</p>
<p><strong>Error ${e.status}: ${escape(e.error)}</strong></p>
${details ? `<h2>Request details</h2><ul>${details}</ul>` : ''}`,
  );
}

/** Google's page when a Workspace admin has not trusted the app: nothing goes back to the app. */
export function blockedPage(appName: string, domain: string): string {
  return errorPage({
    status: 400,
    error: 'admin_policy_enforced',
    heading: `Access blocked: ${appName} is blocked`,
    message: `${appName} cannot access your Google Account, because the administrator of ${domain} has not allowed it. Contact your administrator.`,
  });
}

export interface ChooserAccount {
  email: string;
  name: string;
  hinted: boolean;
}

export function chooserPage(action: string, flowId: string, appName: string, accounts: ChooserAccount[]): string {
  // One form, one submit button per account: the button's accessible name is exactly the email.
  const buttons = accounts
    .map(
      (a) =>
        `<button type="submit" name="account" value="${escape(a.email)}" aria-label="${escape(a.email)}"${a.hinted ? ' aria-describedby="hinted" autofocus' : ''}>` +
        `<span>${escape(a.name)}</span> <span>${escape(a.email)}</span></button>`,
    )
    .join('\n');
  return page(
    'Sign in - Google Accounts',
    `<h1>Choose an account</h1>
<p>to continue to ${escape(appName)}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="flow" value="${escape(flowId)}">
${buttons}
</form>
${accounts.some((a) => a.hinted) ? '<p id="hinted" hidden>Suggested by the app</p>' : ''}`,
  );
}

export function consentPage(action: string, flowId: string, appName: string, email: string, scopes: string[]): string {
  // Google's granular consent: each scope beyond sign-in has a checkbox, ticked by default here.
  const items = scopes
    .map((s) =>
      isBasic(s)
        ? `<li>${escape(describeScope(s))}</li>`
        : `<li><label><input type="checkbox" name="scope" value="${escape(s)}" checked> ${escape(describeScope(s))}</label></li>`,
    )
    .join('\n');
  return page(
    `Sign in - Google Accounts`,
    `<h1>${escape(appName)} wants access to your Google Account</h1>
<p>${escape(email)}</p>
<form method="post" action="${escape(action)}">
<input type="hidden" name="flow" value="${escape(flowId)}">
<p>Select what ${escape(appName)} can access</p>
<ul>
${items}
</ul>
<p>Make sure you trust ${escape(appName)}.</p>
<button type="submit" name="decision" value="cancel">Cancel</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form>`,
  );
}
