import type { AuditEntry } from '../domain/audit.js';
import type { Attempt, Delivery, DeliveryOutcome } from '../domain/delivery.js';
import type { Endpoint, EndpointPatch, EndpointSecrets, NewEndpoint } from '../domain/endpoint.js';
import type { HeraldEvent } from '../domain/event.js';
import type { EventType } from '../domain/event-type.js';
import type { Page, PageRequest } from '../domain/page.js';
import type { Tenant, TenantSettings } from '../domain/tenant.js';

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
  expiresAt: Date | null;
  createdAt: Date;
}

/** Tenant API keys and portal tokens, kept only as hashes. */
export interface CredentialRepository {
  create(credential: Credential & { hash: string }): Promise<void>;
  findByHash(hash: string): Promise<Credential | null>;
}

export interface EndpointRepository {
  create(endpoint: NewEndpoint, secrets: EndpointSecrets): Promise<Endpoint>;
  get(tenantId: string, id: string): Promise<Endpoint | null>;
  getSecrets(tenantId: string, id: string): Promise<EndpointSecrets | null>;
  setSecrets(tenantId: string, id: string, secrets: EndpointSecrets): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<Endpoint>>;
  count(tenantId: string): Promise<number>;
  update(tenantId: string, id: string, patch: EndpointPatch, now: Date): Promise<Endpoint | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface PublishInput {
  event: Omit<HeraldEvent, 'sequence'>;
  /** Picks, from the tenant's endpoints, those that get a delivery (subscription and filter). */
  selectEndpoints: (endpoints: Endpoint[]) => Endpoint[];
  newDeliveryId: () => string;
  /** Attempts in the first run of the tenant's retry schedule. */
  maxAttempts: number;
  /** A test send is claimed at once by the caller and never shows in polling. */
  isTest?: boolean;
  /**
   * Counts the event against the tenant's quota for the period starting at `periodStart`, in
   * the publish transaction: past `limit` the publish throws `quota_exceeded` and stores nothing.
   */
  quota?: { limit: number; periodStart: Date };
}

export interface PublishResult {
  event: HeraldEvent;
  /** False when the idempotency key had been seen: `event` is the first one. */
  created: boolean;
  deliveries: Delivery[];
  /** Events counted in the quota period, this one included; null when not counted. */
  quotaUsed: number | null;
}

export interface PollRequest {
  after: number | null;
  limit: number;
  type?: string | undefined;
}

export interface EventRepository {
  /** Inserts the event and its deliveries in one transaction. */
  publish(input: PublishInput): Promise<PublishResult>;
  get(tenantId: string, id: string): Promise<HeraldEvent | null>;
  /** Events after a sequence number, in publish order; test events excluded. */
  poll(tenantId: string, request: PollRequest): Promise<HeraldEvent[]>;
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
  list(tenantId: string, filter: DeliveryFilter, page: PageRequest): Promise<Page<Delivery>>;
  get(tenantId: string, id: string): Promise<Delivery | null>;
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
}

export interface ClaimRequest {
  now: Date;
  limit: number;
  /** At most this many deliveries of one endpoint in flight across all workers. */
  maxInFlightPerEndpoint: number;
  /** Extra lease beyond the tenant's attempt timeout, so a slow attempt is not stolen. */
  leaseGraceMs: number;
  /**
   * Called after the claim when an endpoint's `rateLimitPerSecond` held back due deliveries,
   * with the moment its next token comes: the caller should claim again then.
   */
  onRateLimited?: (at: Date) => void;
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
}

export interface DeliveryQueue {
  /** Leases due deliveries of active endpoints, fairly across endpoints. */
  claim(request: ClaimRequest): Promise<DeliveryJob[]>;
  /** Leases one delivery now, whatever its schedule (test sends). */
  claimOne(tenantId: string, deliveryId: string, now: Date, leaseGraceMs: number): Promise<DeliveryJob | null>;
  /** Stores attempts and their consequences for deliveries and endpoints, in one transaction. */
  record(records: AttemptRecord[]): Promise<RecordOutcome[]>;
  /** Makes deliveries whose lease ran out (their worker died) due again; answers how many. */
  releaseExpiredLeases(now: Date): Promise<number>;
  /** Deliveries waiting or in flight, for the queue-depth gauge. */
  depth(): Promise<number>;
  /** When the earliest waiting delivery of an active endpoint becomes due. */
  nextDueAt(): Promise<Date | null>;
  /** When the earliest lease runs out (a delivery in flight whose worker may have died). */
  nextLeaseExpiry(): Promise<Date | null>;
  /** Called when work may have become due (new deliveries, re-sends, enabled endpoints). */
  onWake(listener: () => void): () => void;
  /** Tells every worker (in this process or, for PostgreSQL, any process) to look for work. */
  wake(): Promise<void>;
}

export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<AuditEntry>>;
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
