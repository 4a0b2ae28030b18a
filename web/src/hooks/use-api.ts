import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Loads with `load` when `deps` change; `everyMs` polls while `keepPolling(data)` says so (live
 * progress of a running operation). Answers of an older request never overwrite a newer one.
 */
export function useApi<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { everyMs?: number; keepPolling?: (data: T) => boolean } = {},
): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const serial = useRef(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const { everyMs, keepPolling } = options;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    const mine = ++serial.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await load();
        if (mine !== serial.current) return;
        setData(value);
        setError(undefined);
        if (everyMs && (!keepPolling || keepPolling(value))) timer = setTimeout(run, everyMs);
      } catch (caught) {
        if (mine !== serial.current) return;
        setError(caught as ApiError);
        if (everyMs) timer = setTimeout(run, everyMs * 2);
      } finally {
        if (mine === serial.current) setLoading(false);
      }
    };
    setLoading(true);
    void run();
    return () => {
      serial.current++;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, nonce]);

  return { data, error, loading, reload };
}
