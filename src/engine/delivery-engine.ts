import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { ids } from '../domain/ids.js';
import type { Metrics } from '../metrics.js';
import type { SecretBox } from '../signing/index.js';
import type { DeliveryJob, RecordOutcome, Store } from '../store/store.js';
import { buildRequest, judgeAttempt } from './attempt.js';
import { runHandshake } from './handshake.js';
import { sendWebhook, type SendResult } from './http-sender.js';

export interface EngineOptions {
  store: Store;
  dispatcher: Dispatcher;
  secretBox: SecretBox;
  logger: Logger;
  metrics: Metrics;
  /** Attempts in flight in this process at once. */
  concurrency?: number;
  /** At most this many requests in flight to one endpoint, across all workers. */
  maxInFlightPerEndpoint?: number;
  leaseGraceMs?: number;
  random?: () => number;
}

export interface AttemptReport extends SendResult {
  deliveryId: string;
  succeeded: boolean;
}

const SAFETY_SWEEP_MS = 30_000;

/**
 * Claims due deliveries and runs their attempts. It never sleep-polls: it claims when the
 * store says work arrived (wake-ups), when an attempt ends, and at the moment the earliest
 * waiting retry falls due or the earliest lease runs out (freeing the deliveries of a worker
 * that died); a slow sweep is the safety net.
 */
export class DeliveryEngine {
  readonly #store: Store;
  readonly #options: Required<Omit<EngineOptions, 'store'>>;
  readonly #inFlight = new Set<Promise<void>>();
  #draining: Promise<void> | null = null;
  #wakeRequested = false;
  #dueTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #running = false;

  constructor(options: EngineOptions) {
    this.#store = options.store;
    this.#options = {
      concurrency: 128,
      maxInFlightPerEndpoint: 16,
      leaseGraceMs: 60_000,
      random: Math.random,
      ...options,
    };
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#unsubscribe = this.#store.queue.onWake(() => this.wake());
    await this.#sweep();
    this.#sweepTimer = setInterval(() => void this.#sweep(), SAFETY_SWEEP_MS);
    this.wake();
  }

  /** Stops claiming, then waits (at most `timeoutMs`) for attempts in flight to end. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    if (this.#dueTimer) clearTimeout(this.#dueTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#draining;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
    clearTimeout(timer);
  }

  /** Looks for due work now; calls made while a claim runs fold into one more claim. */
  wake(): void {
    if (!this.#running) return;
    this.#wakeRequested = true;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
  }

  /** A test send: one attempt now, its delivery already created by the caller. */
  async attemptNow(tenantId: string, deliveryId: string): Promise<AttemptReport | null> {
    const job = await this.#store.queue.claimOne(tenantId, deliveryId, new Date(), this.#options.leaseGraceMs);
    return job ? this.#attempt(job) : null;
  }

  /** Runs an endpoint's verification handshake and stores the outcome. */
  async verifyEndpoint(tenantId: string, endpointId: string): Promise<{ verified: boolean; reason: string | null }> {
    const store = this.#store;
    const [endpoint, secrets, tenant] = await Promise.all([
      store.endpoints.get(tenantId, endpointId),
      store.endpoints.getSecrets(tenantId, endpointId),
      store.tenants.get(tenantId),
    ]);
    if (!endpoint || !secrets?.verifyToken || !tenant) return { verified: false, reason: 'endpoint has no verify token' };
    const verifyToken = this.#options.secretBox.open(secrets.verifyToken);
    const outcome = await runHandshake(endpoint.url, verifyToken, tenant.settings.attemptTimeoutMs, this.#options.dispatcher);
    await store.endpoints.update(
      tenantId,
      endpointId,
      outcome.verified ? { status: 'active', disabledReason: null } : { status: 'verification_failed', disabledReason: outcome.reason },
      new Date(),
    );
    await store.audit.append({
      id: ids.next('aud'),
      tenantId,
      actor: 'system',
      action: outcome.verified ? 'endpoint.verified' : 'endpoint.verification_failed',
      targetType: 'endpoint',
      targetId: endpointId,
      details: outcome.reason ? { reason: outcome.reason } : {},
      createdAt: new Date(),
    });
    return outcome;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#running && this.#wakeRequested) {
        this.#wakeRequested = false;
        const free = this.#options.concurrency - this.#inFlight.size;
        if (free <= 0) return; // an ending attempt wakes us again
        const jobs = await this.#store.queue.claim({
          now: new Date(),
          limit: free,
          maxInFlightPerEndpoint: this.#options.maxInFlightPerEndpoint,
          leaseGraceMs: this.#options.leaseGraceMs,
        });
        for (const job of jobs) this.#track(job);
        if (jobs.length === free) this.#wakeRequested = true;
      }
      await this.#armDueTimer();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'engine:claim:error');
      this.#retryLater();
    }
  }

  #track(job: DeliveryJob): void {
    const running: Promise<void> = this.#attempt(job)
      .then(() => undefined)
      .catch((error) => this.#options.logger.error({ err: error, deliveryId: job.delivery.id }, 'engine:attempt:error'))
      .finally(() => {
        this.#inFlight.delete(running);
        this.wake();
      });
    this.#inFlight.add(running);
  }

  async #attempt(job: DeliveryJob): Promise<AttemptReport> {
    const startedAt = new Date();
    const request = buildRequest(job, this.#options.secretBox, startedAt);
    const result = await sendWebhook(request, this.#options.dispatcher);
    const record = judgeAttempt(job, request, result, startedAt, this.#options.random);
    const outcome = await this.#store.queue.record(record);
    this.#options.metrics.attempts.inc({ outcome: record.verdict.kind === 'retry' ? 'failed' : record.verdict.kind });
    this.#options.metrics.attemptDuration.observe(result.durationMs / 1000);
    await this.#auditDisable(outcome);
    // The error as logged (`HTTP 500` included), so a test send answers what its attempt shows.
    return { ...result, error: record.attempt.error, deliveryId: job.delivery.id, succeeded: record.verdict.kind === 'succeeded' };
  }

  async #auditDisable({ endpointDisabled }: RecordOutcome): Promise<void> {
    if (!endpointDisabled) return;
    this.#options.logger.warn(endpointDisabled, 'engine:endpoint:disabled');
    await this.#store.audit.append({
      id: ids.next('aud'),
      tenantId: endpointDisabled.tenantId,
      actor: 'system',
      action: 'endpoint.disabled',
      targetType: 'endpoint',
      targetId: endpointDisabled.endpointId,
      details: { reason: endpointDisabled.reason },
      createdAt: new Date(),
    });
  }

  async #armDueTimer(): Promise<void> {
    if (this.#dueTimer) clearTimeout(this.#dueTimer);
    this.#dueTimer = null;
    if (!this.#running) return;
    // Work falls due when a waiting retry's time comes, or when a lease runs out: a delivery
    // whose worker died goes out again then, not at the next safety sweep.
    const [next, leaseEnds] = await Promise.all([this.#store.queue.nextDueAt(), this.#store.queue.nextLeaseExpiry()]);
    const at = Math.min(next?.getTime() ?? Infinity, leaseEnds?.getTime() ?? Infinity);
    if (!this.#running || at === Infinity) return;
    // setTimeout takes at most a 32-bit delay; a far retry is re-armed when this one fires.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.#dueTimer = setTimeout(() => void this.#sweep().then(() => this.wake()), delay);
  }

  #retryLater(): void {
    if (this.#dueTimer) clearTimeout(this.#dueTimer);
    this.#dueTimer = setTimeout(() => this.wake(), 1000);
  }

  async #sweep(): Promise<void> {
    try {
      await this.#store.queue.releaseExpiredLeases(new Date());
    } catch (error) {
      this.#options.logger.error({ err: error }, 'engine:sweep:error');
    }
  }
}
