// One Authorize attempt: the Google window opened from the click, the attempt started on the server,
// and its outcome learnt both ways, from the callback page's postMessage and by polling the API (Forge
// has no postMessage, and a message can be lost). No React here: useAuthorization wraps it.
import { getAuthorization, startAuthorization } from './api';
import { expired, notAuthorized, notCompleted, popupBlocked, problemOf } from './problems';
import { ApiError } from './transport';
import type { AuthorizationKind, AuthorizationOutcome, Explanation } from './types';

export type AuthorizationState =
  | { phase: 'idle' }
  | { phase: 'waiting' }
  | { phase: 'authorized'; email: string; credentialId: string }
  | { phase: 'failed'; problem: Explanation };

export interface AuthorizationRequest {
  kind: AuthorizationKind;
  /** The Message Source or Outbound being re-authorized in place. */
  targetId?: string | undefined;
  /** The Username already typed: Google preselects that account and the server checks it. */
  loginHint?: string | null | undefined;
}

export const WINDOW_NAME = 'mailbridge-google-authorize';
const WINDOW_FEATURES = 'popup,width=520,height=680';
const POLL_MS = 2000;
const WINDOW_CHECK_MS = 500;
/** Polling gives up after this many failed calls in a row. */
const MAX_POLL_FAILURES = 5;

/** Opens the (still empty) Google window. Must run inside the click handler, or pop-up blockers stop it. */
export function openAuthorizationWindow(): Window | null {
  const popup = window.open('', WINDOW_NAME, WINDOW_FEATURES);
  if (!popup) return null;
  try {
    popup.document.title = 'Mailbridge: opening Google…';
    popup.document.body.textContent = 'Opening Google…';
  } catch {
    // The named window still shows a Google page from an earlier attempt (another origin): it is reused as is.
  }
  return popup;
}

const isOutcomeMessage = (data: unknown): data is AuthorizationOutcome & { type: string; id: string } =>
  typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'mailbridge:authorization' && typeof (data as { id?: unknown }).id === 'string';

/**
 * Runs one attempt in `popup` (null when the browser blocked it) and reports each change of state.
 * Returns a function that stops listening (a newer attempt, or the form going away).
 */
export function runAuthorization(popup: Window | null, request: AuthorizationRequest, trustPageUrl: string, report: (state: AuthorizationState) => void): () => void {
  if (!popup) {
    report({ phase: 'failed', problem: popupBlocked() });
    return () => {};
  }
  let stopped = false;
  let attemptId: string | undefined;
  let expiresAt = Infinity;
  let windowClosed = false;
  let pollFailures = 0;
  let pollTimer: number | undefined;
  let windowTimer: number | undefined;

  const stop = () => {
    stopped = true;
    window.removeEventListener('message', onMessage);
    window.clearTimeout(pollTimer);
    window.clearInterval(windowTimer);
  };

  const settle = (outcome: AuthorizationOutcome) => {
    if (stopped || outcome.status === 'PENDING') return;
    stop();
    if (outcome.status === 'AUTHORIZED' && outcome.email && outcome.credentialId) {
      report({ phase: 'authorized', email: outcome.email, credentialId: outcome.credentialId });
    } else {
      report({ phase: 'failed', problem: outcome.error ?? (outcome.status === 'EXPIRED' ? expired() : notAuthorized()) });
    }
  };

  function onMessage(event: MessageEvent) {
    if (event.origin !== window.location.origin || !isOutcomeMessage(event.data) || event.data.id !== attemptId) return;
    settle(event.data);
  }

  const poll = async () => {
    if (stopped || !attemptId) return;
    try {
      const outcome = await getAuthorization(attemptId);
      pollFailures = 0;
      settle(outcome);
    } catch (err) {
      // A lost answer is tried again; an attempt the server no longer knows is over.
      if ((err instanceof ApiError && err.status === 404) || ++pollFailures >= MAX_POLL_FAILURES) {
        stop();
        report({ phase: 'failed', problem: problemOf(err) });
        return;
      }
    }
    if (stopped) return;
    if (Date.now() > expiresAt) {
      stop();
      // Still pending when the attempt ran out. A closed window was already reported as such.
      if (!windowClosed) report({ phase: 'failed', problem: expired() });
      return;
    }
    pollTimer = window.setTimeout(() => void poll(), POLL_MS);
  };

  // A closed window while pending means the user gave up, or Google's page cut the link to its opener
  // (Cross-Origin-Opener-Policy makes `closed` read true). Say so at once, but keep polling until the
  // attempt expires, so an authorization finished in a window we lost track of still lands.
  const watchWindow = () => {
    if (stopped || windowClosed || !popup.closed) return;
    windowClosed = true;
    window.clearInterval(windowTimer);
    if (!attemptId) return;
    void getAuthorization(attemptId)
      .then((outcome) => {
        if (stopped) return;
        if (outcome.status === 'PENDING') report({ phase: 'failed', problem: notCompleted(trustPageUrl) });
        else settle(outcome);
      })
      .catch(() => {
        if (!stopped) report({ phase: 'failed', problem: notCompleted(trustPageUrl) });
      });
  };

  report({ phase: 'waiting' });
  window.addEventListener('message', onMessage);
  startAuthorization({
    kind: request.kind,
    ...(request.targetId ? { targetId: request.targetId } : {}),
    ...(request.loginHint !== undefined ? { loginHint: request.loginHint } : {}),
  }).then(
    (started) => {
      if (stopped) return;
      attemptId = started.id;
      expiresAt = Date.parse(started.expiresAt) || Date.now() + 10 * 60_000;
      if (popup.closed) {
        windowClosed = true;
        report({ phase: 'failed', problem: notCompleted(trustPageUrl) });
      } else {
        popup.location.href = started.url;
        windowTimer = window.setInterval(watchWindow, WINDOW_CHECK_MS);
      }
      pollTimer = window.setTimeout(() => void poll(), POLL_MS);
    },
    (err: unknown) => {
      if (stopped) return;
      stop();
      popup.close();
      report({ phase: 'failed', problem: problemOf(err) });
    },
  );
  return stop;
}
