// Loads something when its inputs change; an answer that arrives after newer inputs is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again with the same inputs, keeping what is shown meanwhile. */
  reload: () => void;
  /** Replaces the data in place (after a change whose result the page already has). */
  set: (update: (data: T | undefined) => T) => void;
}

/** `load` is null while there is nothing to load; `key` says when it loads something new (e.g. a project id). */
export function useAsync<T>(load: (() => Promise<T>) | null, key: string): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: load !== null });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const latest = useRef(0);
  const shownKey = useRef(key);

  const active = load !== null;
  useEffect(() => {
    const run = ++latest.current;
    const fresh = shownKey.current !== key;
    shownKey.current = key;
    const current = loadRef.current;
    if (!current) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    setState((s) => ({ data: fresh ? undefined : s.data, error: undefined, loading: true }));
    current().then(
      (data) => {
        if (run === latest.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (run === latest.current) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [key, active, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((update: (data: T | undefined) => T) => setState((s) => ({ data: update(s.data), error: undefined, loading: false })), []);
  return { ...state, reload, set };
}
