// The Authorize button's state for one form or one page: start an attempt from a click, and forget it
// when a newer one starts or the component goes away.
import { useCallback, useEffect, useRef, useState } from 'react';
import { openAuthorizationWindow, runAuthorization, type AuthorizationRequest, type AuthorizationState } from '../authorization';

/** How an attempt ended (a failure can still be followed by a success: see runAuthorization). */
export type AuthorizationOutcomeState = Extract<AuthorizationState, { phase: 'authorized' | 'failed' }>;

export function useAuthorization(trustPageUrl: string) {
  const [state, setState] = useState<AuthorizationState>({ phase: 'idle' });
  const stopCurrent = useRef<(() => void) | null>(null);

  useEffect(() => () => stopCurrent.current?.(), []);

  /** Call it from the click handler itself: the Google window has to open synchronously. */
  const authorize = useCallback(
    (request: AuthorizationRequest, onDone?: (state: AuthorizationOutcomeState) => void) => {
      stopCurrent.current?.();
      const popup = openAuthorizationWindow();
      stopCurrent.current = runAuthorization(popup, request, trustPageUrl, (next) => {
        setState(next);
        if (next.phase === 'authorized' || next.phase === 'failed') onDone?.(next);
      });
    },
    [trustPageUrl],
  );

  const reset = useCallback(() => {
    stopCurrent.current?.();
    stopCurrent.current = null;
    setState({ phase: 'idle' });
  }, []);

  return { state, authorize, reset };
}
