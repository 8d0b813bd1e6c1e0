import { useCallback, useEffect, useState } from 'react';
import { query, type Api } from '../api/client.js';
import type { Page } from '../api/types.js';

/** What a list view shows: `items` null while the first page loads, `error` as thrown. */
export interface ListState<T> {
  items: T[] | null;
  error: unknown;
  /** Present while there is a next page. */
  loadMore?: () => void;
}

/**
 * A paged list read with `limit` and `cursor`; `reload` starts again from the first page.
 * `path` may carry its own query (filters): the paging parameters are appended.
 */
export function usePaged<T>(api: Api, path: string, limit = 50): ListState<T> & { reload: () => void } {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    async (after: string | null) => {
      try {
        const paging = query({ limit: String(limit), cursor: after });
        const page = await api<Page<T>>('GET', path.includes('?') ? `${path}&${paging.slice(1)}` : `${path}${paging}`);
        setItems((current) => (after && current ? [...current, ...page.data] : page.data));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [api, path, limit],
  );
  useEffect(() => {
    setItems(null);
    void load(null);
  }, [load]);
  return { items, error, loadMore: cursor ? () => void load(cursor) : undefined, reload: () => void load(null) };
}

/** One value loaded once per `deps` change; `reload` asks again. */
export function useLoaded<T>(loader: () => Promise<T>, deps: unknown[]): { value: T | null; error: unknown; reload: () => Promise<void> } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const reload = useCallback(async () => {
    try {
      setValue(await loader());
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, reload };
}
