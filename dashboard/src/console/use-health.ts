import { useCallback, useEffect, useState } from 'react';
import { query, type Api } from '../api/client.js';
import type { OperatorHealth, OutcomeChart, TenantHealth } from '../api/types.js';
import type { ListState } from '../components/use-paged.js';

export const TENANTS_PER_PAGE = 25;

/**
 * The Health tab's one request per page: `/operator/health` answers a page of tenants with all
 * their figures, and on the first page the outcome chart. "Load more" asks for the next page;
 * a new search or filter starts again from the first.
 */
export function useHealth(api: Api, search: string, attentionOnly: boolean): ListState<TenantHealth> & { outcomes: OutcomeChart | null; reload: () => void } {
  const [items, setItems] = useState<TenantHealth[] | null>(null);
  const [outcomes, setOutcomes] = useState<OutcomeChart | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    async (after: string | null, isCurrent: () => boolean = () => true) => {
      try {
        const page = await api<OperatorHealth>(
          'GET',
          `/operator/health${query({ limit: String(TENANTS_PER_PAGE), search: search.trim(), attention: attentionOnly ? 'true' : null, cursor: after })}`,
        );
        if (!isCurrent()) return;
        setItems((current) => (after && current ? [...current, ...page.data] : page.data));
        if (page.outcomes) setOutcomes(page.outcomes);
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        if (isCurrent()) setError(e);
      }
    },
    [api, search, attentionOnly],
  );
  useEffect(() => {
    // An answer to an older search must not replace the current one's.
    let live = true;
    setItems(null);
    void load(null, () => live);
    return () => {
      live = false;
    };
  }, [load]);
  return { items, outcomes, error, loadMore: cursor ? () => void load(cursor) : undefined, reload: () => void load(null) };
}
