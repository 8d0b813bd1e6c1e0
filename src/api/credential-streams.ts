import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { HeraldError } from '../errors.js';
import type { CredentialRepository } from '../store/store.js';

/** The contract's cap on open event streams per credential. */
export const MAX_STREAMS_PER_CREDENTIAL = 5;
/**
 * How often open streams' credentials are checked against the store. The contract closes a
 * revoked or expired credential's streams within 5 s; one query per interval covers every
 * stream of the process, and a revocation in another process is seen by the next check.
 */
export const STREAM_CHECK_MS = 2_000;

/** Revocations made in this process: streams here end at once instead of at the next check. */
const revocations = new EventEmitter();
revocations.setMaxListeners(0);
export function announceRevoked(credentialId: string): void {
  revocations.emit('revoked', credentialId);
}

/**
 * The event streams a process holds open for tenant credentials: caps them per credential
 * and ends those whose credential was revoked or has expired. The cap is per process (a
 * store-wide count would need a table of open connections kept fresh by every process).
 */
export class CredentialStreams {
  readonly #open = new Map<string, Set<() => void>>();
  readonly #timer: NodeJS.Timeout;
  readonly #onRevoked = (id: string) => this.#endAll(id);
  #checking = false;

  constructor(
    private readonly credentials: CredentialRepository,
    private readonly log: FastifyBaseLogger,
    checkMs = STREAM_CHECK_MS,
  ) {
    this.#timer = setInterval(() => void this.#check(), checkMs);
    this.#timer.unref();
    revocations.on('revoked', this.#onRevoked);
  }

  /** Registers a stream; answers how to unregister it. Throws 429 past the cap. */
  open(credentialId: string, end: () => void): () => void {
    const streams = this.#open.get(credentialId) ?? new Set();
    if (streams.size >= MAX_STREAMS_PER_CREDENTIAL) {
      throw new HeraldError('rate_limited', `At most ${MAX_STREAMS_PER_CREDENTIAL} open event streams per credential`);
    }
    streams.add(end);
    this.#open.set(credentialId, streams);
    return () => {
      streams.delete(end);
      if (streams.size === 0 && this.#open.get(credentialId) === streams) this.#open.delete(credentialId);
    };
  }

  close(): void {
    clearInterval(this.#timer);
    revocations.off('revoked', this.#onRevoked);
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#open.size === 0) return;
    this.#checking = true;
    try {
      const ids = [...this.#open.keys()];
      const live = await this.credentials.live(ids, new Date());
      for (const id of ids) if (!live.has(id)) this.#endAll(id);
    } catch (error) {
      this.log.warn({ err: error }, 'could not check the credentials of open event streams');
    } finally {
      this.#checking = false;
    }
  }

  #endAll(credentialId: string): void {
    for (const end of [...(this.#open.get(credentialId) ?? [])]) end();
  }
}
