import { matchesFilter } from '../domain/filter.js';
import { matchesEventType } from '../domain/subscription.js';
import type { EndpointMatcher, Store } from '../store/store.js';

/** What the cache needs of the store: the matcher read and the change signal. */
export type MatcherSource = Pick<Store, 'onEndpointsChanged'> & { endpoints: Pick<Store['endpoints'], 'listMatchers'> };

/** How much the cache may hold; past either bound the least recently used tenants go. */
export interface MatcherCacheLimits {
  /** Tenants kept (an empty list still costs an entry). */
  tenants: number;
  /**
   * The lists' size as JSON characters. A tenant may have 500 endpoints with up to 256
   * subscriptions and a filter each, so a count of tenants alone bounds nothing; a list's JSON
   * length, measured once when it loads, tracks its memory (its objects take a small multiple).
   */
  jsonChars: number;
}

export const DEFAULT_MATCHER_CACHE_LIMITS: MatcherCacheLimits = { tenants: 10_000, jsonChars: 16 * 1024 * 1024 };

interface Entry {
  matchers: Promise<EndpointMatcher[]>;
  /** JSON characters of the loaded list; 0 while it loads. */
  size: number;
}

/**
 * Per tenant, the endpoints as matching needs them (subscriptions and filters, never secrets
 * or URLs), so a publish matches in memory instead of reading every endpoint row. Loaded on
 * first use; dropped when the store says an endpoint of that tenant changed, in any process.
 *
 * No stale list can survive a change: a change deletes the tenant's entry, and a load only
 * lands in the entry it was started for, so a load that was in flight when the change arrived
 * (and may have read the old rows) is never kept. Callers already waiting on that load get
 * its answer: they were concurrent with the change. A dropped tenant (changed, or evicted
 * past the limits) costs one indexed read on its next publish.
 */
export class EndpointMatchers {
  readonly #source: MatcherSource;
  readonly #limits: MatcherCacheLimits;
  /** Map order is recency order: the first key is the least recently used tenant. */
  readonly #entries = new Map<string, Entry>();
  #size = 0;
  readonly #unsubscribe: () => void;

  constructor(source: MatcherSource, limits: MatcherCacheLimits = DEFAULT_MATCHER_CACHE_LIMITS) {
    this.#source = source;
    this.#limits = limits;
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

  /** Drops one tenant's list, or every list when `tenantId` is null. */
  forget(tenantId: string | null): void {
    if (tenantId !== null) return this.#remove(tenantId);
    this.#entries.clear();
    this.#size = 0;
  }

  /** Tenants held, and the JSON characters of their lists. */
  get usage(): { tenants: number; jsonChars: number } {
    return { tenants: this.#entries.size, jsonChars: this.#size };
  }

  close(): void {
    this.#unsubscribe();
    this.forget(null);
  }

  #load(tenantId: string): Promise<EndpointMatcher[]> {
    const entry: Entry = { matchers: this.#source.endpoints.listMatchers(tenantId), size: 0 };
    this.#entries.set(tenantId, entry);
    this.#evict(entry);
    const current = () => this.#entries.get(tenantId) === entry;
    void entry.matchers.then(
      (matchers) => {
        if (!current()) return;
        entry.size = JSON.stringify(matchers).length;
        this.#size += entry.size;
        this.#evict(entry);
      },
      // A failed read must not stay cached: the next publish tries again.
      () => current() && this.#remove(tenantId),
    );
    return entry.matchers;
  }

  #remove(tenantId: string): void {
    const entry = this.#entries.get(tenantId);
    if (!entry) return;
    this.#size -= entry.size;
    this.#entries.delete(tenantId);
  }

  /** Drops least recently used tenants until both limits hold, never the entry just added. */
  #evict(keep: Entry): void {
    for (const [tenantId, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.tenants && this.#size <= this.#limits.jsonChars) return;
      if (entry !== keep) this.#remove(tenantId);
    }
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
