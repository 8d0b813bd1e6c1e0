import { matchesFilter } from '../domain/filter.js';
import { matchesEventType } from '../domain/subscription.js';
import type { EndpointMatcher, Store } from '../store/store.js';

/** What the cache needs of the store: the matcher read and the change signal. */
export type MatcherSource = Pick<Store, 'onEndpointsChanged'> & { endpoints: Pick<Store['endpoints'], 'listMatchers'> };

/**
 * Tenants whose matchers are kept. A tenant with 50 endpoints costs a few KB, so this bounds
 * the cache near tens of MB; past it the least recently used tenant is dropped and reloaded
 * (one indexed read) on its next publish.
 */
export const MAX_CACHED_TENANTS = 10_000;

interface Entry {
  matchers: Promise<EndpointMatcher[]>;
}

/**
 * Per tenant, the endpoints as matching needs them (subscriptions and filters, never secrets
 * or URLs), so a publish matches in memory instead of reading every endpoint row. Loaded on
 * first use; dropped when the store says an endpoint of that tenant changed, in any process.
 *
 * No stale list can survive a change: a change deletes the tenant's entry, and a load only
 * lands in the entry it was started for, so a load that was in flight when the change arrived
 * (and may have read the old rows) is never kept. Callers already waiting on that load get
 * its answer: they were concurrent with the change.
 */
export class EndpointMatchers {
  readonly #source: MatcherSource;
  readonly #maxTenants: number;
  /** Map order is recency order: the first key is the least recently used tenant. */
  readonly #entries = new Map<string, Entry>();
  readonly #unsubscribe: () => void;

  constructor(source: MatcherSource, maxTenants = MAX_CACHED_TENANTS) {
    this.#source = source;
    this.#maxTenants = maxTenants;
    this.#unsubscribe = source.onEndpointsChanged((tenantId) => this.forget(tenantId));
  }

  /** The tenant's matchers, from memory when a current list is there. */
  get(tenantId: string): Promise<EndpointMatcher[]> {
    const cached = this.#entries.get(tenantId);
    if (cached) {
      this.#entries.delete(tenantId);
      this.#entries.set(tenantId, cached);
      return cached.matchers;
    }
    return this.#load(tenantId);
  }

  /** The ids of the endpoints whose subscription and filter match an event (its wire envelope). */
  async match(tenantId: string, type: string, envelope: unknown): Promise<string[]> {
    return matching(await this.get(tenantId), type, envelope);
  }

  /** Drops one tenant's list, or every list when `tenantId` is null. */
  forget(tenantId: string | null): void {
    if (tenantId === null) this.#entries.clear();
    else this.#entries.delete(tenantId);
  }

  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    this.#unsubscribe();
    this.#entries.clear();
  }

  #load(tenantId: string): Promise<EndpointMatcher[]> {
    const entry: Entry = { matchers: this.#source.endpoints.listMatchers(tenantId) };
    this.#entries.set(tenantId, entry);
    if (this.#entries.size > this.#maxTenants) this.#entries.delete(this.#entries.keys().next().value!);
    // A failed read must not stay cached: the next publish tries again.
    entry.matchers.catch(() => {
      if (this.#entries.get(tenantId) === entry) this.#entries.delete(tenantId);
    });
    return entry.matchers;
  }
}

/** The ids of the matchers whose subscription and filter accept the event. */
export function matching(matchers: readonly EndpointMatcher[], type: string, envelope: unknown): string[] {
  const ids: string[] = [];
  for (const matcher of matchers) {
    if (matchesEventType(matcher.eventTypes, type) && matchesFilter(matcher.filter, envelope)) ids.push(matcher.id);
  }
  return ids;
}
