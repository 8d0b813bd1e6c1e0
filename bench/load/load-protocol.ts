/** Messages between the bench and its load-generator child (bench/load-child.ts). */

/** Publishes events to Herald's API: single-event route when `batchSize` is 1, else the batch route. */
export interface PublishJob {
  kind: 'publish';
  /** Herald's API origin, loopback only. */
  url: string;
  token: string;
  /** Request i goes to tenants[i % tenants.length]: one tenant, or many taking turns. */
  tenants: string[];
  count: number;
  /** Keep-alive connections, one request in flight on each. */
  connections: number;
  batchSize: number;
  /** Event types, taken round robin by sequence number. */
  types: string[];
  /** First sequence number, so warm-up and timed events carry different data. */
  seqBase: number;
  /** Open loop: request i is due at start + i / rate, whatever the answers; null: closed loop. */
  ratePerSecond: number | null;
  timeoutMs: number;
}

/** The ceiling: Standard-Webhooks-signed envelopes straight to the receiver. */
export interface RawJob {
  kind: 'raw';
  /** Receiver URL, loopback only. */
  url: string;
  count: number;
  connections: number;
  idPrefix: string;
  timeoutMs: number;
}

export type LoadJob = PublishJob | RawJob;

/** Per item, in order: id, when its request was due/sent, when its answer had been read (clock.now()). */
export interface LoadResult {
  /** The batch route answered 404 (not built on this code). */
  unavailable: boolean;
  ids: string[];
  sentAt: number[];
  doneAt: number[];
  /** The load generator's own CPU for the job, µs. */
  cpuMicros: number;
}

export type ToLoad = { type: 'run'; job: LoadJob } | { type: 'stop' };
export type FromLoad = { type: 'ready' } | { type: 'done'; result: LoadResult } | { type: 'failed'; message: string };
