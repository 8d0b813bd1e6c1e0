import type { AuditEntry, OperatorAuditEntry } from '../domain/audit.js';
import type { Attempt, Delivery, DeliveryOutcome, LoggedDelivery } from '../domain/delivery.js';
import type { Endpoint, EndpointPatch, EndpointSecrets, Filter, NewEndpoint } from '../domain/endpoint.js';
import type { HeraldEvent } from '../domain/event.js';
import type { EventType } from '../domain/event-type.js';
import type { DisabledBy, OperationalEvent, OperatorSettings } from '../domain/operational-event.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { Tenant, TenantSettings } from '../domain/tenant.js';
import type { HealthRepository } from './health.js';

/**
 * Everything Herald keeps, behind one interface with one implementation per database.
 * Domain objects go in and come out; rows never leave an implementation. The delivery
 * queue lives here too: a delivery row is the job.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  meta: MetaRepository;
  eventTypes: EventTypeRepository;
  tenants: TenantRepository;
  credentials: CredentialRepository;
  endpoints: EndpointRepository;
  events: EventRepository;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  audit: AuditRepository;
  operator: OperatorRepository;
  health: HealthRepository;

  /**
   * Called in EVERY process (PostgreSQL: LISTEN/NOTIFY) after an endpoint of `tenantId` is
   * created, changed or deleted, or the tenant itself changed or was deleted, so caches
   * (matchers, tenants) can drop it; `tenantId` null means "forget everything": an event type
   * changed, or the listener reconnected and may have missed notices.
   */
  onEndpointsChanged(listener: (tenantId: string | null) => void): () => void;
  /**
   * Resolves once every change signal committed before the call (in any process) has reached
   * this process's listeners, so a cache read after it is as fresh as the database was at the
   * call: an endpoint created through one API process is matched by the very next publish
   * through another. One shared round trip on PostgreSQL; nothing to wait for on SQLite.
   */
  catchUpOnChanges(): Promise<void>;
  /** Key handling: rekey, and the upgrade that seals what older releases kept in clear. */
  sealedValues: SealedValueRepository;
}

export interface MetaRepository {
  get(key: string): Promise<string | null>;
  /** Stores the value unless the key has one already; answers what is stored. */
  putIfAbsent(key: string, value: string): Promise<string>;
}

export interface EventTypeRepository {
  /** Throws `conflict` when the name is taken. */
  create(eventType: EventType): Promise<EventType>;
  get(name: string): Promise<EventType | null>;
  list(page: PageRequest): Promise<Page<EventType>>;
  update(name: string, patch: Partial<Omit<EventType, 'name' | 'createdAt'>>): Promise<EventType | null>;
  delete(name: string): Promise<boolean>;
}

export interface TenantRepository {
  /** Throws `conflict` when the id is taken. */
  create(tenant: Tenant): Promise<Tenant>;
  get(id: string): Promise<Tenant | null>;
  /** Every tenant but the operator's reserved one (domain/operational-event.ts). */
  list(page: PageRequest): Promise<Page<Tenant>>;
  update(id: string, patch: { name?: string; settings?: TenantSettings }): Promise<Tenant | null>;
  /** Deletes the tenant and everything it owns. */
  delete(id: string): Promise<boolean>;
}

export type CredentialKind = 'api_key' | 'portal';

export interface Credential {
  id: string;
  tenantId: string;
  kind: CredentialKind;
  /** A label the creator chose (API keys), or null. */
  name: string | null;
  /** The start of the token, the only part shown after creation (null for keys made before 0005). */
  prefix: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  /** Lags a use by up to the API's flush interval: uses are recorded in batches. */
  lastUsedAt: Date | null;
}

/**
 * Tenant API keys and portal tokens, kept only as hashes. "Live" means neither revoked nor
 * expired at `now`; every lookup goes to the store, so a revocation holds at once on every
 * process (no process keeps a copy that could outlive it).
 */
export interface CredentialRepository {
  create(credential: Credential & { hash: string }): Promise<void>;
  /** The credential with this hash unless revoked (expiry is the caller's check: it knows the clock). */
  findByHash(hash: string): Promise<Credential | null>;
  /** A tenant's live credentials of one kind, oldest first. */
  list(tenantId: string, kind: CredentialKind, now: Date, page: PageRequest): Promise<Page<Credential>>;
  /** Revokes a live credential; false when there is none with that id, kind and tenant. */
  revoke(tenantId: string, kind: CredentialKind, id: string, now: Date): Promise<boolean>;
  /** Records last uses, in one batch; an older time never replaces a newer one. */
  touch(uses: ReadonlyMap<string, Date>): Promise<void>;
  /** Which of these ids are live at `now`. */
  live(ids: readonly string[], now: Date): Promise<Set<string>>;
  /**
   * Takes one of a credential's `limit` event-stream places, across every process, leased until
   * `leaseUntil`; false when live leases hold them all. Expired leases (a crashed process) free theirs.
   */
  openStream(credentialId: string, streamId: string, limit: number, now: Date, leaseUntil: Date): Promise<boolean>;
  /** Extends the leases of streams still open. */
  renewStreams(streamIds: readonly string[], leaseUntil: Date): Promise<void>;
  closeStream(streamId: string): Promise<void>;
}

/** What matching needs of an endpoint: no secrets, no URL. */
export interface EndpointMatcher {
  id: string;
  eventTypes: string[];
  filter: Filter | null;
}

export interface EndpointRepository {
  create(endpoint: NewEndpoint, secrets: EndpointSecrets): Promise<Endpoint>;
  get(tenantId: string, id: string): Promise<Endpoint | null>;
  getSecrets(tenantId: string, id: string): Promise<EndpointSecrets | null>;
  setSecrets(tenantId: string, id: string, secrets: EndpointSecrets): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<Endpoint>>;
  count(tenantId: string): Promise<number>;
  update(tenantId: string, id: string, patch: EndpointPatch, now: Date): Promise<Endpoint | null>;
  /**
   * Enables or disables an endpoint on request. When its status changes, the operational event
   * (`endpoint.enabled`, or `endpoint.disabled` with reason and `by`) is written in the same
   * transaction, so it is sent once however many requests race; never for the operator's own
   * endpoints. Enabling resets the count of consecutive failures, not the failing streak.
   */
  setStatus(tenantId: string, id: string, change: StatusChange, now: Date): Promise<{ endpoint: Endpoint; changed: boolean; events: OperationalEvent[] } | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The tenant's endpoints as matching needs them; one indexed read, never secrets. */
  listMatchers(tenantId: string): Promise<EndpointMatcher[]>;
}

export type StatusChange = { status: 'active' } | { status: 'disabled'; reason: string; by: Exclude<DisabledBy, 'system'> };

export interface PublishItem {
  event: Omit<HeraldEvent, 'sequence'>;
  /** The endpoints that get a delivery (already matched by the caller), one delivery id each. */
  deliveries: Array<{ id: string; endpointId: string }>;
}

export interface PublishInput {
  tenantId: string;
  /** 1..1000 items, in request order. */
  items: PublishItem[];
  /** Attempts in the first run of the tenant's retry schedule. */
  maxAttempts: number;
  /** Test sends: claimed at once by the caller, never in polling. */
  isTest?: boolean;
  /**
   * Counts the created (not deduplicated) events against the tenant's quota for the period
   * starting at `periodStart`, in the publish transaction: past `limit` the publish throws
   * `quota_exceeded` and stores nothing.
   */
  quota?: { limit: number; periodStart: Date };
  /** Operational events this publish causes (a quota crossing), published to the operator in the same transaction. */
  operational?: OperationalEvent[];
}

export interface PublishOutcome {
  /** The first event when the idempotency key was seen (earlier, or earlier in this batch). */
  event: HeraldEvent;
  created: boolean;
  /** Empty when !created. */
  deliveries: Delivery[];
}

export interface PublishResult {
  /** In request order. */
  outcomes: PublishOutcome[];
  /** Events counted in the quota period after this publish; null when nothing was counted. */
  quotaUsed: number | null;
}

/** An event as polling returns it, with the opaque cursor that resumes right after it. */
export type PolledEvent = HeraldEvent & { cursor: string };

export interface PollRequest {
  /** An opaque cursor from an earlier poll (`PolledEvent.cursor`); null starts at the oldest. */
  after: string | null;
  limit: number;
  type?: string | undefined;
}

export interface EventRepository {
  /**
   * All items with their deliveries in one transaction, all or nothing; the created events take
   * consecutive polling positions in item order.
   */
  publish(input: PublishInput): Promise<PublishResult>;
  get(tenantId: string, id: string): Promise<HeraldEvent | null>;
  /**
   * Events after a cursor, in polling order; test events excluded. Throws `validation_failed`
   * for a cursor this store never gave out.
   */
  poll(tenantId: string, request: PollRequest): Promise<PolledEvent[]>;
  /**
   * Deletes up to `limit` of the tenant's events created before `before`, with their deliveries
   * and attempts; answers how many events went. Small batches keep each transaction short.
   */
  pruneOlderThan(tenantId: string, before: Date, limit: number): Promise<number>;
}

export interface DeliveryFilter {
  endpointId?: string | undefined;
  eventType?: string | undefined;
  outcome?: DeliveryOutcome | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Which deliveries a manual re-send makes pending again. */
export type RequeueSelector =
  | { deliveryId: string }
  | { endpointId: string; failedOnly: true }
  | { endpointId: string; since: Date };

export interface DeliveryRepository {
  /** Newest first, each with its latest attempt (one query, whatever the page size). */
  list(tenantId: string, filter: DeliveryFilter, page: PageRequest): Promise<Page<LoggedDelivery>>;
  get(tenantId: string, id: string): Promise<LoggedDelivery | null>;
  attempts(deliveryId: string): Promise<Attempt[]>;
  /**
   * Makes the selected deliveries pending now with a fresh run of `scheduleLength`
   * attempts; attempt numbers go on from where they were. Answers how many.
   */
  requeue(tenantId: string, selector: RequeueSelector, scheduleLength: number, now: Date): Promise<number>;
  /**
   * Attempts started in [from, to) per endpoint and time bucket (buckets start at multiples of
   * `bucketMs` since the epoch); test sends excluded. Ordered by endpoint, then bucket.
   */
  stats(tenantId: string, from: Date, to: Date, bucketMs: number): Promise<AttemptStatsBucket[]>;
  /**
   * Deliveries created in [from, to) across all tenants, counted by outcome per time bucket
   * (buckets start at multiples of `bucketMs` since the epoch); test sends and canceled
   * deliveries excluded. Only buckets with deliveries, oldest first.
   */
  outcomeStats(from: Date, to: Date, bucketMs: number): Promise<OutcomeStatsBucket[]>;
}

export interface OutcomeStatsBucket {
  bucketStart: Date;
  succeeded: number;
  /** `failed` or `dead`. */
  failed: number;
  /** `pending` or `delivering`. */
  pending: number;
}

export interface AttemptStatsBucket {
  endpointId: string;
  bucketStart: Date;
  attempts: number;
  succeeded: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

/** A claimed delivery with everything needed to make its attempt. */
export interface DeliveryJob {
  delivery: Delivery;
  event: HeraldEvent;
  endpoint: Endpoint;
  secrets: EndpointSecrets;
  settings: TenantSettings;
  /** Attempts made since the schedule last (re)started. */
  attemptsInRun: number;
  /** When the lease runs out (ms): an attempt must be over and recorded by then, or another worker may take the delivery. */
  leasedUntil: number;
}

export interface ClaimRequest {
  now: Date;
  limit: number;
  /** At most this many deliveries of one endpoint in flight across all workers, unless the endpoint sets its own (`maxInFlight`). */
  maxInFlightPerEndpoint: number;
  /** Extra lease beyond the tenant's attempt timeout, so a slow attempt is not stolen. */
  leaseGraceMs: number;
  /** The claiming worker (see `heartbeat`): its leases are freed once it stops showing it is alive. */
  owner: string;
  /**
   * Lease up to two caps beyond an endpoint's cap while this claimer alone holds the endpoint's
   * leases (unordered endpoints without a rate limit): as many caps as the tenant's attempt
   * timeout fits in `leaseGraceMs`, after a second for the record (grace 60 s and timeout 10 s:
   * two; grace 2 s and timeout 1 s: one). The caller keeps at most the cap in flight and starts
   * the rest as requests end, the k-th cap ahead within k attempt timeouts of its claim, so its
   * lease still covers its attempt. Whenever two claimers hold leases of one endpoint, their leases together
   * stay within its cap, so requests in flight do too. Without it (the default) a claim leases
   * at most the cap.
   */
  leaseAhead?: boolean;
  /**
   * Called after a claim that took work but left more due now (an endpoint's share of the claim
   * ran out, or more endpoints were due than it looked at): the caller should claim again. A
   * publish wakes the workers only when it makes an endpoint due sooner, so this is how such
   * leftovers are found without waiting for an attempt to end.
   */
  onMoreDue?: () => void;
  /**
   * Called after a claim that left an endpoint with work due later, with the earliest such
   * moment: an endpoint's `rateLimitPerSecond` held back due deliveries until its next token, or
   * the endpoint's next work is a retry or was published a moment after the claim's `now`. The
   * caller should claim again then, busy or idle.
   */
  onDueLater?: (at: Date) => void;
  /**
   * Called after a claim that passed over due endpoints because something held their rows locked
   * at that moment (PostgreSQL), with their ids. Usually a claimer or a record, which schedules
   * what it holds; but the holder may be a statement that only waited for the row and leaves it
   * due with no one told. A caller with no attempt of its own to such an endpoint (whose record
   * would look at it again) should claim again shortly.
   */
  onPassedOver?: (endpointIds: string[]) => void;
  /**
   * PostgreSQL: endpoints this claimer has left to other workers (onLeftToOthers) until that
   * moment has passed; the claim neither looks at them nor counts them as passed over.
   */
  leaveAlone?: readonly string[];
  /**
   * PostgreSQL: called after a claim that left due endpoints to another worker working on them
   * (it holds more of their attempts in flight and leased there lately), with the moment until
   * which this claimer should leave them alone (`leaveAlone`), that worker's own claims taking
   * their free slots meanwhile. Only this claimer steps back: the endpoints stay due for the rest.
   */
  onLeftToOthers?: (endpointIds: string[], until: Date) => void;
}

export type AttemptVerdict =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date }
  | { kind: 'dead' };

export interface AttemptRecord {
  deliveryId: string;
  attempt: Attempt;
  verdict: AttemptVerdict;
  /** How the attempt counts for the endpoint's health; test sends don't count. */
  endpointHealth: 'success' | 'failure' | 'gone' | 'ignore';
  autoDisableAfterFailures: number;
  now: Date;
}

export interface RecordOutcome {
  /** Set when this attempt disabled the endpoint. */
  endpointDisabled: { endpointId: string; tenantId: string; reason: string } | null;
  /** The endpoint has more deliveries due now (its slot is free for the next one). */
  moreDue: boolean;
  /**
   * Otherwise, when the endpoint's next work falls due (null: none, or it waits for another
   * attempt to end): the caller should claim then, busy or idle.
   */
  dueLaterAt: Date | null;
  /** The operational events this attempt caused, written in the record's transaction. */
  operational: OperationalEvent[];
}

export interface DeliveryQueue {
  /** Leases due deliveries of active endpoints, fairly across endpoints. */
  claim(request: ClaimRequest): Promise<DeliveryJob[]>;
  /** Leases one delivery now, whatever its schedule (test sends). */
  claimOne(tenantId: string, deliveryId: string, now: Date, leaseGraceMs: number, owner: string): Promise<DeliveryJob | null>;
  /** Stores attempts and their consequences for deliveries and endpoints, in one transaction. */
  record(records: AttemptRecord[]): Promise<RecordOutcome[]>;
  /**
   * `record`, then, when that left work due now, `claim(next)` in the same transaction: the
   * slots the attempts free are filled at once, without a transaction (and a wake-up) of their
   * own. A claim that ran has looked for that work, so no outcome says `moreDue`; `next`'s
   * callbacks are called as for `claim`.
   */
  recordAndClaim(records: AttemptRecord[], next: ClaimRequest): Promise<{ outcomes: RecordOutcome[]; jobs: DeliveryJob[] }>;
  /** Makes deliveries whose lease ran out (their worker died) due again; answers how many. */
  releaseExpiredLeases(now: Date): Promise<number>;
  /**
   * Hands back deliveries `owner` leased but never attempted (leased ahead, then let go: its
   * endpoint was disabled, or the worker is stopping): waiting again at once, failed if an
   * attempt failed before; answers how many.
   */
  handBack(deliveryIds: string[], owner: string): Promise<number>;
  /** Shows that worker `workerId` is alive at `now` (its first beat registers it). */
  heartbeat(workerId: string, now: Date): Promise<void>;
  /**
   * Makes the leased deliveries of workers whose last beat is older than `staleBefore` due at
   * `now` and forgets those workers (a killed process); answers how many deliveries.
   */
  releaseLeasesOfDeadWorkers(staleBefore: Date, now: Date): Promise<number>;
  /** A worker that stopped cleanly (its attempts ended) forgets its row. */
  retireWorker(workerId: string): Promise<void>;
  /**
   * Repairs endpoints whose next_due_at is missing or later than their earliest waiting
   * delivery (a process died between a publish's commit and its schedule mark); answers how many.
   */
  repairSchedules(): Promise<number>;
  /** Deliveries waiting or in flight. */
  depth(): Promise<number>;
  /** One read for the gauges: deliveries waiting or in flight by status, tenants' endpoints by status. */
  gauges(): Promise<QueueGauges>;
  /** When the earliest waiting delivery of an active endpoint becomes due; `except` those endpoints (ClaimRequest.leaveAlone). */
  nextDueAt(except?: readonly string[]): Promise<Date | null>;
  /** When the earliest lease runs out (a delivery in flight whose worker may have died). */
  nextLeaseExpiry(): Promise<Date | null>;
  /** Called when work may have become due (new deliveries, re-sends, enabled endpoints). */
  onWake(listener: () => void): () => void;
  /** Tells every worker (in this process or, for PostgreSQL, any process) to look for work. */
  wake(): Promise<void>;
}

export interface QueueGauges {
  deliveries: { pending: number; failed: number; delivering: number };
  /** `failing`: active endpoints whose failing streak reached `failingAfter` (counted apart from `active`). */
  endpoints: { active: number; failing: number; disabled: number; pending_verification: number; verification_failed: number };
}

/** The operator's side of operational events. */
export interface OperatorRepository {
  settings(): Promise<OperatorSettings>;
  updateSettings(patch: Partial<OperatorSettings>): Promise<OperatorSettings>;
  /** Tenants' endpoints that are failing or disabled, in id order (the console's banners). */
  endpointsInTrouble(page: PageRequest): Promise<Page<Endpoint>>;
}

export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<AuditEntry>>;
  /** The operator's trail (catalog and tenant changes), newest first. */
  appendOperator(entry: OperatorAuditEntry): Promise<void>;
  listOperator(page: PageRequest): Promise<Page<OperatorAuditEntry>>;
}

// --- Key handling (issue 12): the store keeps sealed values as opaque strings. ---

/** An endpoint's columns that hold sealed values (its headers: the sensitive ones). */
export interface SealedEndpointValues {
  id: string;
  secret: string | null;
  previousSecret: string | null;
  verifyToken: string | null;
  headers: Record<string, string>;
}

export interface SealedValueRepository {
  /** Every tenant's endpoints in id order, `limit` at a time after `afterId`. */
  endpointsAfter(afterId: string, limit: number): Promise<SealedEndpointValues[]>;
  /** Writes `next` unless the row changed since `before` was read; answers whether it wrote. */
  replaceEndpoint(before: SealedEndpointValues, next: SealedEndpointValues): Promise<boolean>;
  /** Attempt rows' request headers in id order, `limit` at a time after `afterId`. */
  attemptHeadersAfter(afterId: number, limit: number): Promise<Array<{ id: number; requestHeaders: Record<string, string> }>>;
  replaceAttemptHeaders(id: number, requestHeaders: Record<string, string>): Promise<void>;
  putMeta(key: string, value: string): Promise<void>;
  deleteMeta(key: string): Promise<void>;
  /** SQLite: rebuilds the file (VACUUM) and empties the WAL, so no freed page keeps an old value. */
  compact(): Promise<void>;
}
