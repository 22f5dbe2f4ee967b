// Explanations the page makes itself (the server makes all the others), and any failure as one.
import { ApiError } from './transport';
import type { Explanation } from './types';

export const trustLink = (trustPageUrl: string) => ({ url: trustPageUrl, text: 'How a Google Workspace admin trusts Mailbridge' });

/** The Google window was closed while the attempt was still pending (the server's words for the same code). */
export const notCompleted = (trustPageUrl: string): Explanation => ({
  code: 'AUTHORIZATION_NOT_COMPLETED',
  message: 'The Google window was closed before access was granted.',
  action:
    'Click Authorize again and finish in the Google window. If Google showed "Access blocked" or admin_policy_enforced, your Google Workspace admin must trust Mailbridge first.',
  link: trustLink(trustPageUrl),
});

export const popupBlocked = (): Explanation => ({
  code: 'POPUP_BLOCKED',
  message: 'The browser blocked the Google window.',
  action: 'Allow pop-ups for this page (the icon at the end of the address bar), then click Authorize again.',
});

export const expired = (): Explanation => ({
  code: 'STATE_EXPIRED',
  message: 'The authorization was not finished in time (it lasts 10 minutes).',
  action: 'Click Authorize again.',
});

export const notAuthorized = (): Explanation => ({
  code: 'GOOGLE_ERROR',
  message: 'Google did not authorize Mailbridge.',
  action: 'Click Authorize again and allow access in the Google window.',
});

/** Whatever went wrong, in the shape ProblemMessage shows. */
export function problemOf(err: unknown): Explanation {
  if (err instanceof ApiError) return err.explanation ?? { code: err.code, message: err.message, action: '' };
  return { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err), action: 'Reload the page and try again.' };
}
