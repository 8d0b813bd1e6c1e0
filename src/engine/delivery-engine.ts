import { noTracing, type Tracing } from '../telemetry/tracing.js';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT } from '../domain/endpoint.js';
import { ids } from '../domain/ids.js';
import type { Metrics } from '../metrics.js';
import type { SecretBox } from '../signing/index.js';
import type { AttemptRecord, ClaimRequest, DeliveryJob, RecordOutcome, Store } from '../store/store.js';
import { exchange, type Exchange } from '../net/index.js';
import { buildRequest, judgeAttempt } from './attempt.js';
import { Batcher } from './batcher.js';
import { EndpointSlots } from './endpoint-slots.js';
import { sendWebhook, type SendResult } from './http-sender.js';
import { RetentionSweeper, type RetentionOptions } from './retention.js';
import { verifyEndpoint } from './verify-endpoint.js';
import { WakeTimer } from './wake-timer.js';

export interface EngineOptions {
  store: Store;
  /** For handshakes, and deliveries' exchanges unless `exchange` is given. */
  dispatcher: Dispatcher;
  /** How deliveries' requests go out: on the delivery thread (main.ts) or, by default, through `dispatcher` here. */
  exchange?: Exchange;
  secretBox: SecretBox;
  logger: Logger;
  metrics: Metrics;
  /** OpenTelemetry when configured: each attempt is a client span of its publish's trace. */
  tracing?: Tracing;
  /** Attempts in flight in this process at once. */
  concurrency?: number;
  /** At most this many requests in flight to one endpoint, across all workers. */
  maxInFlightPerEndpoint?: number;
  leaseGraceMs?: number;
  random?: () => number;
  /** Background pruning of events past their tenant's `retentionDays`. */
  retention?: RetentionOptions;
}

export interface AttemptReport extends SendResult {
  deliveryId: string;
  succeeded: boolean;
}

/** The slow safety poll: frees expired leases and repairs schedules no wake-up announced. */
const SAFETY_SWEEP_MS = 30_000;
/**
 * Worker liveness: every process beats this often, and a worker silent for STALE_AFTER_MS is
 * taken for dead, its leases freed at the next beat of any other: a killed worker's deliveries
 * go out again within about 20 s (the contract says 30), however long their leases were.
 */
const HEARTBEAT_MS = 5_000;
/**
 * A busy engine also sweeps this soon after a claim (#busySweep: sweep, then claim). It
 * learns of due work from wake-ups and its own records, but a process test on PostgreSQL
 * (liveness) still left a delivery unclaimed for the full 30 s sweep in about one run of
 * fifteen, for a cause not found; this bounds any such miss to seconds. Idle, it arms from the store.
 */
const BUSY_SWEEP_MS = 5_000;
const STALE_AFTER_MS = 15_000;
/**
 * How long the engine stays idle (nothing in flight) before it claims once more and asks the
 * store when the next retry or lease end is (#drain). It did both the moment its last attempt
 * ended, and at a steady 200 events/s the engine goes idle between any two events: a third of
 * the worker's round trips on PostgreSQL, a claim and two reads on SQLite, spent per event on
 * finding nothing. Nothing waits on this: new work wakes the engine, a record claims what its
 * endpoint has due, and the engine's own retries arm its timer; it is for what other
 * processes scheduled, and a safety net, which can wait this long.
 */
const IDLE_SETTLE_MS = 100;
/**
 * After a claim passed over a locked due endpoint that no request of this engine in flight will
 * look at again (ClaimRequest.onPassedOver), claim again this soon; doubling, to at most
 * PASSED_OVER_RETRY_MAX_MS, while claims find nothing (another worker busy on an endpoint for
 * seconds is not polled at every wake-up).
 */
const PASSED_OVER_RETRY_MS = 5;
const PASSED_OVER_RETRY_MAX_MS = 1_000;

/**
 * A record waits for the attempts still out, up to this many records and RECORD_GATHER_MS, so
 * that one record-and-refill transaction carries more of them. Without it an endpoint's
 * deliveries moved in waves of its cap (16 by default: the 16 answers came in one turn, one
 * record, one refill of 16), and each wave paid a claim and a record's fixed cost (npm run bench,
 * sqlite-batch under bench/sql-profile.ts: 677 record-and-claim transactions for 10,000
 * deliveries, 372 with this and leasing ahead two caps, SQLite's time 1,408 → 1,199 ms). It
 * needs the deeper lease ahead (claim.ts, LEASE_AHEAD_CAPS): with one cap waiting, the wave
 * gathered for would have nothing behind it and the endpoint sat idle through the record.
 */
const RECORD_GATHER_TARGET = 32;
const RECORD_GATHER_MS = 2;
/**
 * ... and only while this many requests or more are out: under load. At 200 events/s, one or two
 * out, a record that waited ran closer to the next publish's claim, which then queued behind it
 * (`latency`, three alternated pairs: SQLite's publish → receive p50 2.1-2.6 ms before gathering,
 * 2.7-3.1 gathering always).
 */
const RECORD_GATHER_MIN_OUT = 8;

/**
 * Claims due deliveries and runs their attempts. It never sleep-polls: it claims when the
 * store says work arrived (wake-ups), when an ending attempt leaves its endpoint more due work,
 * and at the moment a retry falls due or a lease runs out.
 */
export class DeliveryEngine {
  readonly #store: Store;
  readonly #options: Required<Omit<EngineOptions, 'store' | 'retention' | 'exchange'>>;
  readonly #exchange: Exchange;
  readonly #retention: RetentionSweeper;
  /** Attempts of claimed deliveries, by delivery id, until their record is done. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Requests in flight per endpoint; deliveries leased ahead wait here for a slot. */
  readonly #slots = new EndpointSlots();
  readonly #records: Batcher<AttemptRecord, RecordOutcome>;
  // Attempts ending during stop() may still arm these: a stopped engine must not touch the store.
  /** The earliest moment work falls due (a retry, a rate token, a lease's end). */
  readonly #timer = new WakeTimer(() => this.#dueMomentCame());
  /** The busy engine's sweep (BUSY_SWEEP_MS). */
  readonly #busySweep = new WakeTimer(() => void (this.#running && this.#sweep().then(() => this.wake())));
  #draining: Promise<void> | null = null;
  #wakeRequested = false;
  /** The last claim stopped at the concurrency cap: any ending attempt must claim again. */
  #saturated = false;
  #sweepTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #passedOverTimer: NodeJS.Timeout | null = null;
  #passedOverRetryMs = PASSED_OVER_RETRY_MS;
  /** Endpoints this worker left to another working on them (ClaimRequest.onLeftToOthers), until when. */
  readonly #leftToOthers = new Map<string, number>();
  #heartbeatTimer: NodeJS.Timeout | null = null;
  /** Names this process's leases (see HEARTBEAT_MS). */
  readonly #workerId = ids.next('wrk');
  #unsubscribe: (() => void) | null = null;
  #unsubscribeEndpoints: (() => void) | null = null;
  #running = false;
  /** Requests sent and not yet answered: their records would join a record waiting now. */
  #requestsOut = 0;
  /** The last claim failed (database unreachable, say): readiness reports the engine stalled. */
  #claimFailing = false;

  constructor(options: EngineOptions) {
    this.#store = options.store;
    this.#options = { concurrency: 128, maxInFlightPerEndpoint: DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT, leaseGraceMs: 60_000, random: Math.random, tracing: noTracing, ...options };
    this.#exchange = options.exchange ?? ((request) => exchange(options.dispatcher, request));
    // On SQLite one thread does everything and each record's transaction is mostly fixed cost:
    // letting the responses already read in this turn join the batch halved the records and
    // claims per delivery (npm run bench, sqlite-batch: 4.9 → 7.9 deliveries a record, CPU per
    // event −11 %). On PostgreSQL a record waits on round trips instead, and waiting a turn
    // lengthened each endpoint's claim → request → record cycle (−8 % deliveries/s).
    this.#records = new Batcher((records) => this.#recordAndRefill(records), {
      gatherForATurn: options.store.kind === 'sqlite',
      gatherWhile: (waiting) => waiting < RECORD_GATHER_TARGET && this.#requestsOut >= RECORD_GATHER_MIN_OUT,
      gatherAtMostMs: RECORD_GATHER_MS,
    });
    this.#retention = new RetentionSweeper(options.store, options.logger, options.retention);
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#unsubscribe = this.#store.queue.onWake(() => this.wake());
    // An endpoint changed anywhere (disabled, made FIFO, given a rate limit or a lower cap): what
    // was leased ahead for its tenant goes back and is claimed again under its new settings,
    // rather than going out under the old ones.
    this.#unsubscribeEndpoints = this.#store.onEndpointsChanged((tenantId) => this.#slots.dropWaiting((_, tenant) => tenantId === null || tenant === tenantId));
    await this.#beat();
    await this.#sweep();
    this.#sweepTimer = setInterval(() => void this.#sweep().then(() => this.wake()), SAFETY_SWEEP_MS);
    this.#heartbeatTimer = setInterval(() => void this.#beat(), HEARTBEAT_MS);
    this.#retention.start();
    this.wake();
  }

  /** Stops claiming, then waits (at most `timeoutMs`) for attempts in flight to end. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.#running = false;
    this.#slots.dropWaiting();
    this.#unsubscribe?.();
    this.#unsubscribeEndpoints?.();
    this.#timer.clear();
    this.#busySweep.clear();
    this.#clearIdleTimer();
    if (this.#passedOverTimer) clearTimeout(this.#passedOverTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    await this.#retention.stop();
    await this.#draining;
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight.values()]).then(() => this.#records.idle()),
      new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(deadline);
    // Leases of attempts cut off by the timeout stay with this id: kept, the row would make them
    // wait for their lease to run out; gone, the next beat of another worker frees them.
    await this.#store.queue.retireWorker(this.#workerId).catch((error) => this.#options.logger.error({ err: error }, 'engine:retire:error'));
  }

  /** For `/readyz`: started, and its last claim went through. */
  get healthy(): boolean {
    return this.#running && !this.#claimFailing;
  }

  /** Looks for due work now; calls made while a claim runs fold into one more claim. */
  wake(): void {
    if (!this.#running) return;
    this.#wakeRequested = true;
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      // A wake that came while the drain was finishing must not be lost.
      if (this.#wakeRequested) this.wake();
    });
  }

  /** A test send: one attempt now, its delivery already created by the caller. */
  async attemptNow(tenantId: string, deliveryId: string): Promise<AttemptReport | null> {
    const job = await this.#store.queue.claimOne(tenantId, deliveryId, new Date(), this.#options.leaseGraceMs, this.#workerId);
    return job ? this.#attempt(job, { recordNow: true }) : null;
  }

  /** Prunes events past their tenant's retention now rather than at the next slow tick; answers how many. */
  pruneNow(now?: Date): Promise<number> {
    return this.#retention.pruneNow(now);
  }

  verifyEndpoint(tenantId: string, endpointId: string): Promise<{ verified: boolean; reason: string | null }> {
    return verifyEndpoint(this.#store, this.#options.secretBox, this.#options.dispatcher, tenantId, endpointId);
  }

  async #drain(): Promise<void> {
    this.#clearIdleTimer();
    try {
      while (this.#running && this.#wakeRequested) {
        this.#wakeRequested = false;
        const free = this.#options.concurrency - this.#inFlight.size;
        this.#saturated = free <= 0;
        if (this.#saturated) return;
        const jobs = await this.#store.queue.claim(this.#claimRequest(free));
        this.#claimFailing = false;
        if (jobs.length > 0) this.#passedOverRetryMs = PASSED_OVER_RETRY_MS;
        for (const job of jobs) this.#track(job);
        if (jobs.length === free) this.#wakeRequested = true;
      }
      // Busy, the engine learns of future work from its own attempts (retry times); idle, it
      // asks the store once when the next retry or lease end is, and sleeps until then.
      if (this.#running && this.#inFlight.size === 0) await this.#armFromStore();
      else if (this.#running) this.#busySweep.armAt(Date.now() + BUSY_SWEEP_MS);
    } catch (error) {
      this.#claimFailing = true;
      this.#options.logger.error({ err: error }, 'engine:claim:error');
      this.#timer.armAt(Date.now() + 1000);
    }
  }

  #claimRequest(limit: number): ClaimRequest {
    return {
      now: new Date(),
      limit,
      maxInFlightPerEndpoint: this.#options.maxInFlightPerEndpoint,
      leaseGraceMs: this.#options.leaseGraceMs,
      owner: this.#workerId,
      // Up to three times an endpoint's cap leased (two caps ahead: RECORD_GATHER_TARGET), the
      // cap in flight (#attemptInSlot). Leasing the cap alone, a slot was held
      // through its record's commit and the next claim's, and on PostgreSQL an endpoint's 16
      // slots bounded it at 16 per cycle of ~12 ms (npm run bench, alternated pairs, pg-workers
      // with 1 worker: 1,312 and 1,249/s leasing the cap, 1,750 and 1,605/s leasing ahead).
      leaseAhead: true,
      onMoreDue: () => this.wake(),
      // Work falls due later (a rate token, a retry): claim again then, busy or idle.
      onDueLater: (at) => this.#timer.armAt(at.getTime()),
      // An endpoint with a request of ours in flight gets a record after it, which reads the
      // endpoint's deliveries again; one whose last record may already have read them does not.
      onPassedOver: (endpointIds) => {
        if (endpointIds.some((id) => !this.#slots.busy(id))) this.#claimAgainSoon();
      },
      leaveAlone: this.#leftAloneNow(),
      onLeftToOthers: (endpointIds, until) => {
        for (const id of endpointIds) this.#leftToOthers.set(id, until.getTime());
      },
    };
  }

  /** The endpoints still left to other workers; those whose moment passed are forgotten. */
  #leftAloneNow(): string[] {
    const now = Date.now();
    for (const [id, until] of this.#leftToOthers) if (until <= now) this.#leftToOthers.delete(id);
    return [...this.#leftToOthers.keys()];
  }

  #claimAgainSoon(): void {
    if (this.#passedOverTimer || !this.#running) return;
    this.#passedOverTimer = setTimeout(() => {
      this.#passedOverTimer = null;
      this.wake();
    }, this.#passedOverRetryMs);
    this.#passedOverRetryMs = Math.min(this.#passedOverRetryMs * 2, PASSED_OVER_RETRY_MAX_MS);
  }

  /**
   * Records a batch of ended attempts and, in the same transaction, claims work for the slots
   * they free (the store's recordAndClaim): a claim of its own after each record cost a second
   * transaction per cycle, and on SQLite a commit was the dearest statement of all. Test sends
   * (attemptNow) were never tracked, so they free no slot.
   */
  async #recordAndRefill(records: AttemptRecord[]): Promise<RecordOutcome[]> {
    const free = this.#options.concurrency - this.#inFlight.size + records.filter((record) => this.#inFlight.has(record.deliveryId)).length;
    if (!this.#running || free <= 0) return this.#store.queue.record(records);
    const { outcomes, jobs } = await this.#store.queue.recordAndClaim(records, this.#claimRequest(free));
    for (const job of jobs) this.#track(job);
    // As in #drain: a claim that took all it could may have left more.
    if (jobs.length === free) this.wake();
    return outcomes;
  }

  #track(job: DeliveryJob): void {
    const running: Promise<void> = this.#attemptInSlot(job)
      .catch((error) => this.#options.logger.error({ err: error, deliveryId: job.delivery.id }, 'engine:attempt:error'))
      .finally(() => {
        // A retry due at once may be claimed again (recordAndClaim) before this attempt settles.
        if (this.#inFlight.get(job.delivery.id) === running) this.#inFlight.delete(job.delivery.id);
        if (this.#saturated) this.wake();
        else if (this.#inFlight.size === 0) this.#settleIdle();
      });
    this.#inFlight.set(job.delivery.id, running);
  }

  /** Claims and arms from the store once the engine has stayed idle IDLE_SETTLE_MS (restarted by each attempt that leaves it idle). */
  #settleIdle(): void {
    this.#clearIdleTimer();
    if (!this.#running) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#inFlight.size === 0) this.wake();
    }, IDLE_SETTLE_MS);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  /**
   * An attempt in one of its endpoint's slots: a delivery leased ahead waits for one. One let go
   * while it waited (its endpoint disabled, the engine stopping), or whose lease could no longer
   * cover its attempt when its turn came (the endpoint's cap lowered meanwhile), is handed back.
   */
  async #attemptInSlot(job: DeliveryJob): Promise<void> {
    const endpointId = job.endpoint.id;
    const slot = this.#slots.take(endpointId, job.endpoint.tenantId, job.endpoint.maxInFlight ?? this.#options.maxInFlightPerEndpoint);
    if (slot !== true && !(await slot)) return this.#handBack(job);
    let released = false;
    const release = () => {
      if (!released) this.#slots.release(endpointId);
      released = true;
    };
    try {
      if (slot !== true && Date.now() + job.settings.attemptTimeoutMs >= job.leasedUntil) return await this.#handBack(job);
      await this.#attempt(job, { requestEnded: release, recordNow: job.endpoint.ordering === 'fifo' });
    } finally {
      release();
    }
  }

  async #handBack(job: DeliveryJob): Promise<void> {
    await this.#store.queue.handBack([job.delivery.id], this.#workerId);
    this.#options.logger.debug({ deliveryId: job.delivery.id, endpointId: job.endpoint.id }, 'engine:lease:handed-back');
  }

  /**
   * One attempt and its record; `requestEnded` is told once its slot may go to the next request,
   * and `recordNow` keeps the record from waiting for others (RECORD_GATHER_MS): a FIFO line's
   * next send waits on it, a test send's caller too.
   */
  async #attempt(job: DeliveryJob, { requestEnded = () => {}, recordNow = false }: { requestEnded?: () => void; recordNow?: boolean } = {}): Promise<AttemptReport> {
    const startedAt = new Date();
    const { delivery, endpoint, event } = job;
    // Test sends have no due time: they go at once, outside the queue.
    if (delivery.nextAttemptAt) this.#options.metrics.deliveryLag.observe(Math.max(0, startedAt.getTime() - delivery.nextAttemptAt.getTime()) / 1000);
    const span = this.#options.tracing.attempt(event.traceContext ?? null, {
      url: endpoint.url,
      deliveryId: delivery.id,
      attemptNumber: delivery.attemptCount + 1,
      tenantId: delivery.tenantId,
      endpointId: endpoint.id,
    });
    const request = buildRequest(job, this.#options.secretBox, startedAt, span.traceparent);
    this.#requestsOut += 1;
    const result = await sendWebhook(request, this.#exchange).finally(() => (this.#requestsOut -= 1));
    span.end({ statusCode: result.statusCode, error: result.error ?? null });
    if (result.blocked !== undefined) this.#options.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, blocked: result.blocked }, 'engine:egress:blocked');
    const record = judgeAttempt(job, request, result, startedAt, this.#options.random);
    // A success frees its slot now. A failure keeps it until its record has told the store the
    // endpoint is in trouble (or disabled it), then lets go of what was leased ahead: handed
    // back, the claim gives an endpoint in trouble its cap and no more (claim.ts, capsAhead).
    const troubled = record.endpointHealth === 'failure' || record.endpointHealth === 'gone';
    if (!troubled) requestEnded();
    const outcome = await this.#records.add(record, { flushNow: recordNow });
    if (troubled) this.#slots.dropWaiting((id) => id === endpoint.id);
    requestEnded();
    const verdict = record.verdict.kind === 'retry' ? 'failed' : record.verdict.kind;
    this.#options.metrics.attempts.inc({ outcome: verdict });
    this.#options.metrics.attemptDuration.observe(result.durationMs / 1000);
    // One line per attempt, ids and numbers only: never a header, a body or a secret.
    const ids = { tenantId: delivery.tenantId, endpointId: endpoint.id, deliveryId: delivery.id };
    this.#options.logger.debug({ ...ids, attempt: record.attempt.number, statusCode: result.statusCode, durationMs: result.durationMs, outcome: verdict }, 'engine:attempt');
    if (record.verdict.kind === 'retry') this.#timer.armAt(record.verdict.at.getTime());
    if (outcome.moreDue) this.wake();
    else if (outcome.dueLaterAt) this.#timer.armAt(outcome.dueLaterAt.getTime());
    this.#reportChanges(record, outcome, ids);
    await this.#auditDisable(outcome);
    // The error as logged (`HTTP 500` included), so a test send answers what its attempt shows.
    return { ...result, error: record.attempt.error, deliveryId: job.delivery.id, succeeded: record.verdict.kind === 'succeeded' };
  }

  /** Counts the operational events the attempt caused and logs each state change, once, by id. */
  #reportChanges(record: AttemptRecord, outcome: RecordOutcome, ids: { tenantId: string; endpointId: string; deliveryId: string }): void {
    const { logger, metrics } = this.#options;
    for (const event of outcome.operational) metrics.operationalEvents.inc({ type: event.type });
    const endpoint = { tenantId: ids.tenantId, endpointId: ids.endpointId };
    const failing = outcome.operational.find((event) => event.type === 'endpoint.failing');
    if (failing) logger.warn({ ...endpoint, consecutiveFailures: failing.data.consecutiveFailures }, 'engine:endpoint:failing');
    if (outcome.operational.some((event) => event.type === 'endpoint.recovered')) logger.info(endpoint, 'engine:endpoint:recovered');
    if (record.verdict.kind === 'dead' && record.endpointHealth !== 'ignore') logger.warn({ ...ids, attempts: record.attempt.number }, 'engine:delivery:exhausted');
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

  /** Work falls due when a waiting retry's time comes, or when a lease of a dead worker ends. */
  async #armFromStore(): Promise<void> {
    const [next, leaseEnds] = await Promise.all([this.#store.queue.nextDueAt(this.#leftAloneNow()), this.#store.queue.nextLeaseExpiry()]);
    const at = Math.min(next?.getTime() ?? Infinity, leaseEnds?.getTime() ?? Infinity);
    if (this.#running && at !== Infinity) this.#timer.armAt(at);
  }

  /**
   * Claims at once, and frees the leases that ran out beside the claim (freeing any wakes the
   * engine again: dueAgain in delivery-queue.ts). It swept first, schedule repair included, and
   * claimed after: on PostgreSQL at 200 events/s a record's outcome announced a publish that
   * came in meanwhile, due already, several times a second, and each such claim waited for the
   * sweep's two round trips while the repair read every active endpoint (npm run bench,
   * latency: 162 sweeps in a 25-second run of the worker). The repair is the sweeps' own.
   */
  #dueMomentCame(): void {
    if (!this.#running) return;
    this.wake();
    this.#store.queue.releaseExpiredLeases(new Date()).catch((error: unknown) => this.#options.logger.error({ err: error }, 'engine:sweep:error'));
  }

  async #sweep(): Promise<void> {
    try {
      await this.#store.queue.releaseExpiredLeases(new Date());
      await this.#store.queue.repairSchedules();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'engine:sweep:error');
    }
  }

  /** Shows this worker is alive, and frees the leases of workers that stopped showing it. */
  async #beat(): Promise<void> {
    try {
      const now = new Date();
      await this.#store.queue.heartbeat(this.#workerId, now);
      await this.#store.queue.releaseLeasesOfDeadWorkers(new Date(now.getTime() - STALE_AFTER_MS), now);
    } catch (error) {
      this.#options.logger.error({ err: error }, 'engine:heartbeat:error');
    }
  }
}
