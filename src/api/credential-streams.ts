import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { ids } from '../domain/ids.js';
import { HeraldError } from '../errors.js';
import type { CredentialRepository } from '../store/store.js';

/** The contract's cap on open event streams per credential, across every API process. */
export const MAX_STREAMS_PER_CREDENTIAL = 5;
/**
 * How often open streams' credentials are checked against the store (and their places
 * renewed). The contract closes a revoked or expired credential's streams within 5 s; one
 * query per interval covers every stream of the process, and a revocation made in another
 * process is seen by the next check.
 */
export const STREAM_CHECK_MS = 2_000;
/** A stream's place in the store outlives a crashed process by at most this. */
export const STREAM_LEASE_MS = 15_000;

/** Revocations made in this process: streams here end at once instead of at the next check. */
const revocations = new EventEmitter();
revocations.setMaxListeners(0);
export function announceRevoked(credentialId: string): void {
  revocations.emit('revoked', credentialId);
}

/**
 * The event streams a process holds open for tenant credentials. Each takes a leased place in
 * the store (at most 5 per credential over all processes), and ends when its credential is
 * revoked or expires.
 */
export class CredentialStreams {
  /** credential id → stream id → how to end that stream. */
  readonly #open = new Map<string, Map<string, () => void>>();
  readonly #releasing = new Set<Promise<void>>();
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

  /** Takes a place for a stream; answers how to give it back. Throws 429 when all are taken. */
  async open(credentialId: string, end: () => void): Promise<() => void> {
    const streamId = ids.next('stm');
    const now = new Date();
    const taken = await this.credentials.openStream(credentialId, streamId, MAX_STREAMS_PER_CREDENTIAL, now, new Date(now.getTime() + STREAM_LEASE_MS));
    if (!taken) throw new HeraldError('rate_limited', `At most ${MAX_STREAMS_PER_CREDENTIAL} open event streams per credential`);
    const streams = this.#open.get(credentialId) ?? new Map<string, () => void>();
    streams.set(streamId, end);
    this.#open.set(credentialId, streams);
    return () => {
      if (!streams.delete(streamId)) return;
      if (streams.size === 0 && this.#open.get(credentialId) === streams) this.#open.delete(credentialId);
      const released: Promise<void> = this.credentials
        .closeStream(streamId)
        .catch((error: unknown) => this.log.warn({ err: error }, 'could not free an event stream place (its lease will)'))
        .finally(() => this.#releasing.delete(released));
      this.#releasing.add(released);
    };
  }

  /** Stops checking and waits until the places of ended streams are given back. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    revocations.off('revoked', this.#onRevoked);
    await Promise.all([...this.#releasing]);
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#open.size === 0) return;
    this.#checking = true;
    try {
      const now = new Date();
      const credentialIds = [...this.#open.keys()];
      const live = await this.credentials.live(credentialIds, now);
      for (const id of credentialIds) if (!live.has(id)) this.#endAll(id);
      const streamIds = [...this.#open.values()].flatMap((streams) => [...streams.keys()]);
      await this.credentials.renewStreams(streamIds, new Date(now.getTime() + STREAM_LEASE_MS));
    } catch (error) {
      this.log.warn({ err: error }, 'could not check the credentials of open event streams');
    } finally {
      this.#checking = false;
    }
  }

  #endAll(credentialId: string): void {
    for (const end of [...(this.#open.get(credentialId)?.values() ?? [])]) end();
  }
}
