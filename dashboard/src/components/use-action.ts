import { useCallback, useState } from 'react';

/**
 * The one way a button or form calls the API: `busy` while it runs, the error it threw kept
 * for <ErrorLine>, and a fresh start on each run. Answers what `action` answered, or undefined.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await action(...args);
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, setError };
}
