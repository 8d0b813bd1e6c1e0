import type { Logger } from 'pino';
import { OPERATOR_TENANT_ID } from '../domain/operational-event.js';
import type { Tenant } from '../domain/tenant.js';
import type { Store } from '../store/store.js';

export interface RetentionOptions {
  /** Events deleted per statement: small, so no transaction holds the database for long. */
  batchSize?: number;
  /** Pause between two batches, leaving the database to the delivery work in between. */
  pauseMs?: number;
  /** How often the sweep runs, and how soon after start the first does. */
  everyMs?: number;
  firstAfterMs?: number;
}

const DAY_MS = 86_400_000;
const TENANTS_PER_PAGE = 100;

/**
 * Deletes each tenant's events older than its `retentionDays`, with their deliveries and
 * attempts, in the background: a slow timer, small batches and a pause between them, so
 * pruning a large backlog never blocks delivery.
 */
export class RetentionSweeper {
  readonly #options: Required<RetentionOptions>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<number> | null = null;
  #stopped = true;
  /** Set by stop(): a sweep under way ends after its current batch. */
  #closing = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    options: RetentionOptions = {},
  ) {
    this.#options = { batchSize: 500, pauseMs: 50, everyMs: 10 * 60_000, firstAfterMs: 30_000, ...options };
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(this.#options.firstAfterMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** Prunes now (or joins the sweep already running); answers how many events went. */
  pruneNow(now = new Date()): Promise<number> {
    this.#running ??= this.#sweep(now).finally(() => (this.#running = null));
    return this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.pruneNow()
        .catch((error) => this.logger.error({ err: error }, 'engine:retention:error'))
        .finally(() => this.#schedule(this.#options.everyMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #sweep(now: Date): Promise<number> {
    let pruned = 0;
    let cursor: string | undefined;
    do {
      const page = await this.store.tenants.list({ limit: TENANTS_PER_PAGE, ...(cursor ? { cursor } : {}) });
      for (const tenant of page.data) pruned += await this.#prune(tenant, now);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && !this.#closing);
    // The operator's reserved tenant is never listed; its operational events age out the same way.
    const operator = this.#closing ? null : await this.store.tenants.get(OPERATOR_TENANT_ID);
    if (operator) pruned += await this.#prune(operator, now);
    if (pruned > 0) this.logger.info({ pruned }, 'engine:retention:pruned');
    return pruned;
  }

  async #prune(tenant: Tenant, now: Date): Promise<number> {
    const before = new Date(now.getTime() - tenant.settings.retentionDays * DAY_MS);
    let pruned = 0;
    for (;;) {
      const deleted = await this.store.events.pruneOlderThan(tenant.id, before, this.#options.batchSize);
      pruned += deleted;
      if (deleted < this.#options.batchSize || this.#closing) return pruned;
      await new Promise((resolve) => setTimeout(resolve, this.#options.pauseMs));
    }
  }
}
