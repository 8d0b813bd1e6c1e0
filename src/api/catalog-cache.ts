import type { EventType } from '../domain/event-type.js';
import type { Tenant } from '../domain/tenant.js';
import type { Store } from '../store/store.js';

/** What the cache needs of the store: the two reads and the change signal. */
export type CatalogSource = Pick<Store, 'onEndpointsChanged'> & {
  tenants: Pick<Store['tenants'], 'get'>;
  eventTypes: Pick<Store['eventTypes'], 'get'>;
};

/** Entries kept per map; past it the least recently used go. */
const DEFAULT_LIMIT = 10_000;

/**
 * The tenants and event types every publish reads (settings, schema), kept in memory: they
 * were two of a publish's round trips to PostgreSQL. Dropped on the store's change signal,
 * from any process: a tenant's own entry when it changes, everything when the signal names no
 * tenant (an event type changed, or the listener reconnected). As in EndpointMatchers, a load
 * that was in flight when its entry was dropped is never kept. A missing tenant or type is not
 * cached, so one created in another process is seen at once.
 */
export class CatalogCache {
  readonly #source: CatalogSource;
  readonly #tenants: BoundedLoads<Tenant>;
  readonly #eventTypes: BoundedLoads<EventType>;
  readonly #unsubscribe: () => void;

  constructor(source: CatalogSource, limit = DEFAULT_LIMIT) {
    this.#source = source;
    this.#tenants = new BoundedLoads(limit);
    this.#eventTypes = new BoundedLoads(limit);
    this.#unsubscribe = source.onEndpointsChanged((tenantId) => {
      if (tenantId !== null) return this.#tenants.forget(tenantId);
      this.#tenants.clear();
      this.#eventTypes.clear();
    });
  }

  tenant(id: string): Promise<Tenant | null> {
    return this.#tenants.get(id, () => this.#source.tenants.get(id));
  }

  eventType(name: string): Promise<EventType | null> {
    return this.#eventTypes.get(name, () => this.#source.eventTypes.get(name));
  }

  close(): void {
    this.#unsubscribe();
    this.#tenants.clear();
    this.#eventTypes.clear();
  }
}

/** Loads by key, shared while in flight, kept once found, least recently used first out. */
class BoundedLoads<T> {
  /** Map order is recency order. */
  readonly #entries = new Map<string, Promise<T | null>>();

  constructor(readonly limit: number) {}

  get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const loading = load();
    this.#entries.set(key, loading);
    const current = () => this.#entries.get(key) === loading;
    void loading.then(
      (value) => value === null && current() && this.#entries.delete(key),
      () => current() && this.#entries.delete(key),
    );
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.limit) break;
      this.#entries.delete(oldest);
    }
    return loading;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
