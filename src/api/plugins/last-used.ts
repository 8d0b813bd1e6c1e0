import type { FastifyBaseLogger } from 'fastify';
import type { CredentialRepository } from '../../store/store.js';

/**
 * `lastUsedAt` of tenant credentials, written in batches: one UPDATE per request would double
 * the writes of a busy key (and on SQLite every write queues behind the single writer). The
 * contract lets the field lag a use by a few seconds; this flushes every `intervalMs`.
 */
export class LastUsed {
  #pending = new Map<string, Date>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly credentials: CredentialRepository,
    private readonly log: FastifyBaseLogger,
    intervalMs = 2_000,
  ) {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  record(credentialId: string, at: Date): void {
    this.#pending.set(credentialId, at);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const uses = this.#pending;
    this.#pending = new Map();
    try {
      await this.credentials.touch(uses);
    } catch (error) {
      // A lost batch only makes lastUsedAt older than it should be; never fail a request for it.
      this.log.warn({ err: error }, 'could not record credential uses');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
