import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_IN_FLIGHT_LIMIT } from '../domain/endpoint.js';
import { EVENT_TYPE_NAME_PATTERN } from '../domain/event-type.js';
import { SUBSCRIPTION_PATTERN } from '../domain/subscription.js';

/**
 * One schema per shape: Fastify validates requests with it, fast-json-stringify serialises
 * responses with it, and @fastify/swagger publishes it as OpenAPI 3.1.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A body the caller may leave out: Fastify validates a missing body as `null`, so `Type.Optional` alone refuses it. */
export const OptionalBody = <T extends TSchema>(schema: T) => Nullable(schema);
const Timestamp = Type.String({ format: 'date-time' });
const AnyJson = Type.Unknown();
const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(Type.Unknown()),
    }),
  },
);

export const Slug = Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' });
export const EventTypeName = Type.String({ pattern: EVENT_TYPE_NAME_PATTERN, maxLength: 128 });

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 128 })),
});
export type PageQuery = Static<typeof PageQuery>;

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const Count = Type.Object({ count: Type.Integer() });

// Tenants ---------------------------------------------------------------

export const SignatureSettings = Type.Object(
  {
    scheme: Type.Union([
      Type.Literal('standard-webhooks'),
      Type.Literal('timestamped-hex'),
      Type.Literal('hub-sha256'),
      Type.Literal('body-hex'),
      Type.Literal('ed25519'),
    ]),
    header: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' })),
    prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,48}$' })),
  },
  { additionalProperties: false },
);

/** Tenant branding of the embedded portal ("Embedding the portal"); a colour is #rgb or #rrggbb. */
export const PortalBranding = Type.Object(
  {
    brandName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    brandColor: Type.Optional(Type.String({ pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' })),
  },
  { additionalProperties: false },
);

const TenantSettingsFields = {
  retrySchedule: Type.Array(Type.Integer({ minimum: 0, maximum: 30 * 86400 }), { minItems: 1, maxItems: 20 }),
  attemptTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000 }),
  autoDisableAfterFailures: Type.Integer({ minimum: 0, maximum: 100_000 }),
  signature: SignatureSettings,
  envelope: Type.Union([Type.Literal('snake'), Type.Literal('camel')]),
  userAgent: Type.String({ minLength: 1, maxLength: 256 }),
  eventQuota: Nullable(
    Type.Object(
      { limit: Type.Integer({ minimum: 1 }), period: Type.Union([Type.Literal('day'), Type.Literal('month')]) },
      { additionalProperties: false },
    ),
  ),
  retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  portal: Type.Optional(PortalBranding),
};

export const TenantSettings = Type.Object(TenantSettingsFields);
export const TenantSettingsPatch = Type.Partial(Type.Object(TenantSettingsFields, { additionalProperties: false }), {
  additionalProperties: false,
});

export const Tenant = Type.Object(
  { id: Type.String(), name: Type.String(), settings: TenantSettings, createdAt: Timestamp },
);
export const CreateTenant = Type.Object(
  {
    id: Type.Optional(Slug),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    settings: Type.Optional(TenantSettingsPatch),
  },
  { additionalProperties: false },
);
export type CreateTenant = Static<typeof CreateTenant>;
export const PatchTenant = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), settings: Type.Optional(TenantSettingsPatch) },
  { additionalProperties: false },
);
export type PatchTenant = Static<typeof PatchTenant>;


// Event types -------------------------------------------------------------

export const EventType = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    schema: Nullable(JsonObject),
    example: AnyJson,
    deprecated: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
);
export const CreateEventType = Type.Object(
  {
    name: EventTypeName,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    schema: Type.Optional(Nullable(JsonObject)),
    example: Type.Optional(AnyJson),
    deprecated: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateEventType = Static<typeof CreateEventType>;
export const PatchEventType = Type.Omit(CreateEventType, ['name'], { additionalProperties: false });
export type PatchEventType = Static<typeof PatchEventType>;

// Endpoints ---------------------------------------------------------------

// A pattern-keyed Record allows any other key unless told not to; a value may not break the header line.
const HeaderMap = Type.Record(Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,64}$' }), Type.String({ maxLength: 1024, pattern: '^[^\\r\\n\\0]*$' }), {
  maxProperties: 32,
  additionalProperties: false,
});

const EndpointFields = {
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  description: Type.String({ maxLength: 1000 }),
  eventTypes: Type.Array(Type.String({ pattern: SUBSCRIPTION_PATTERN, maxLength: 128 }), { minItems: 1, maxItems: 256 }),
  filter: Nullable(JsonObject),
  headers: HeaderMap,
  rateLimitPerSecond: Nullable(Type.Integer({ minimum: 1, maximum: 100_000 })),
  maxInFlight: Nullable(
    Type.Integer({
      minimum: 1,
      maximum: MAX_IN_FLIGHT_LIMIT,
      description: "Requests in flight to this endpoint at most, across all workers; null: the server's setting (16 unless configured). A FIFO endpoint has one.",
    }),
  ),
  ordering: Type.Union([Type.Literal('unordered'), Type.Literal('fifo')], {
    description:
      '`fifo`: one attempt in flight, deliveries in publish order, a failing one holding back those behind it until it succeeds or is dead; test sends go at once, outside the line. Default `unordered`.',
  }),
  signature: Nullable(SignatureSettings),
};

export const Endpoint = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    ...EndpointFields,
    status: Type.String(),
    disabledReason: Nullable(Type.String()),
    consecutiveFailures: Type.Integer(),
    signed: Type.Boolean(),
    hasVerifyToken: Type.Boolean(),
    failing: Type.Boolean({ description: "Its failing streak reached the operator's failingAfter; the next success ends it (enabling does not)" }),
    previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()], {
      description: 'After a rotation with a grace period: when the replaced secret or key stops signing beside the new one (past: the grace period is over); null when none was kept',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
);
/** What a customer is shown of a new key, once: the secret itself, or for ed25519 only the public key. */
const ShownKey = {
  secret: Type.Optional(Nullable(Type.String())),
  publicKey: Type.Optional(Type.String({ description: 'ed25519: whpk_ + base64 of the 32-byte public key' })),
};
export const EndpointWithSecret = Type.Intersect([Endpoint, Type.Object(ShownKey)]);

export const CreateEndpoint = Type.Object(
  {
    url: EndpointFields.url,
    eventTypes: EndpointFields.eventTypes,
    description: Type.Optional(EndpointFields.description),
    secret: Type.Optional(Nullable(Type.String({ minLength: 8, maxLength: 256 }))),
    verifyToken: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    filter: Type.Optional(EndpointFields.filter),
    headers: Type.Optional(EndpointFields.headers),
    rateLimitPerSecond: Type.Optional(EndpointFields.rateLimitPerSecond),
    maxInFlight: Type.Optional(EndpointFields.maxInFlight),
    ordering: Type.Optional(EndpointFields.ordering),
    signature: Type.Optional(EndpointFields.signature),
  },
  { additionalProperties: false },
);
export type CreateEndpoint = Static<typeof CreateEndpoint>;
export const PatchEndpoint = Type.Partial(Type.Object(EndpointFields), { additionalProperties: false });
export type PatchEndpoint = Static<typeof PatchEndpoint>;

export const TestRequest = Type.Object({ eventType: Type.Optional(EventTypeName) }, { additionalProperties: false });
export const TestResult = Type.Object({
  success: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
  responseBody: Nullable(Type.String()),
  error: Nullable(Type.String()),
  deliveryId: Type.String(),
});
export const RotateSecret = Type.Object(
  { gracePeriodSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })) },
  { additionalProperties: false },
);
export const Secret = Type.Object(ShownKey);
export const PublicKey = Type.Object({ publicKey: Type.String() });
export const Recover = Type.Object({ since: Timestamp }, { additionalProperties: false });

// Events ------------------------------------------------------------------

/**
 * The wire envelope, in either style; `data` is whatever was published. One object per style,
 * every key required: fast-json-stringify writes optional keys after required ones, which
 * would move `created_at` behind `data` and make polling items differ from the bytes sent.
 */
export const Envelope = Type.Union([
  Type.Object({ id: Type.String(), type: Type.String(), created_at: Type.String(), data: AnyJson }),
  Type.Object({ id: Type.String(), type: Type.String(), createdAt: Type.String(), data: AnyJson }),
]);
export const Publish = Type.Object(
  {
    type: EventTypeName,
    data: AnyJson,
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type Publish = Static<typeof Publish>;
/** A polling cursor: opaque to clients (the store decides its form and refuses one it never gave out). */
export const PollCursor = Type.String({ pattern: '^[0-9A-Za-z._-]{1,64}$', description: 'An opaque cursor from an earlier poll' });
export const PollQuery = Type.Object({
  after: Type.Optional(PollCursor),
  limit: PageQuery.properties.limit,
  type: Type.Optional(EventTypeName),
});
export const PollPage = Type.Object({ data: Type.Array(Envelope), cursor: Nullable(Type.String()), hasMore: Type.Boolean() });

// Batch publish ---------------------------------------------------------------

/** Events per batch: a batch is one transaction, and 1,000 ~400-byte events stay far under the body limit. */
export const MAX_BATCH_EVENTS = 1000;
export const PublishBatch = Type.Object(
  { events: Type.Array(Publish, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) },
  { additionalProperties: false },
);
export type PublishBatch = Static<typeof PublishBatch>;
export const PublishedBatch = Type.Object({ data: Type.Array(Envelope) });

// Deliveries --------------------------------------------------------------

export const Delivery = Type.Object(
  {
    id: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    endpointId: Type.String(),
    status: Type.String(),
    attemptCount: Type.Integer(),
    maxAttempts: Type.Integer(),
    nextAttemptAt: Nullable(Timestamp),
    lastAttemptAt: Nullable(Timestamp),
    lastAttempt: Type.Union(
      [Type.Object({ statusCode: Nullable(Type.Integer()), durationMs: Type.Integer(), error: Nullable(Type.String()) }), Type.Null()],
      { description: 'What the latest attempt got: the receiver’s HTTP status (null: no response, see error) and how long it took; null before the first attempt' },
    ),
    createdAt: Timestamp,
    isTest: Type.Boolean(),
  },
);
export const Attempt = Type.Object({
  number: Type.Integer(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  responseBody: Nullable(Type.String()),
  error: Nullable(Type.String()),
  requestHeaders: Type.Record(Type.String(), Type.String()),
});
export const DeliveryDetail = Type.Intersect([Delivery, Type.Object({ event: Nullable(Envelope), attempts: Type.Array(Attempt) })]);
export const DeliveryQuery = Type.Object({
  ...PageQuery.properties,
  endpointId: Type.Optional(Type.String({ maxLength: 64 })),
  eventType: Type.Optional(EventTypeName),
  outcome: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('pending')])),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
});

export const AuditEntry = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  details: JsonObject,
  createdAt: Timestamp,
});

// Path parameters ---------------------------------------------------------

export const TenantParams = Type.Object({ tid: Type.String({ maxLength: 64 }) });
export const EndpointParams = Type.Object({ tid: Type.String({ maxLength: 64 }), eid: Type.String({ maxLength: 64 }) });
export const DeliveryParams = Type.Object({ tid: Type.String({ maxLength: 64 }), did: Type.String({ maxLength: 64 }) });
export const EventTypeParams = Type.Object({ name: Type.String({ maxLength: 128 }) });

// Credentials and the operator's trail (issue 12) -------------------------

const CredentialName = Type.String({ minLength: 1, maxLength: 100 });
export const CreateApiKey = Type.Object(
  { name: Type.Optional(CredentialName), expiresAt: Type.Optional(Timestamp) },
  { additionalProperties: false },
);
export type CreateApiKey = Static<typeof CreateApiKey>;
/** The create answer: the only time `key` is shown. */
export const ApiKey = Type.Object({ id: Type.String(), name: Nullable(Type.String()), key: Type.String(), createdAt: Timestamp, expiresAt: Nullable(Timestamp) });
export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  prefix: Type.String({ description: 'The start of the key, to recognise it' }),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
});
export const ApiKeyParams = Type.Object({ tid: Type.String({ maxLength: 64 }), kid: Type.String({ maxLength: 64 }) });

export const CreatePortalToken = Type.Object(
  { expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86400 })) },
  { additionalProperties: false },
);
/** The create answer: the only time `token` is shown. */
export const PortalToken = Type.Object({ id: Type.String(), token: Type.String(), url: Type.String(), expiresAt: Timestamp });
export const PortalTokenInfo = Type.Object({
  id: Type.String(),
  prefix: Type.String({ description: 'The start of the token, to recognise it' }),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
});
export const PortalTokenParams = Type.Object({ tid: Type.String({ maxLength: 64 }), ptid: Type.String({ maxLength: 64 }) });

export const OperatorAuditEntry = Type.Object({
  id: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  details: JsonObject,
  createdAt: Timestamp,
});

// Operational events (issue 13) -------------------------------------------

export const OperatorSettings = Type.Object({
  failingAfter: Type.Integer({ minimum: 1, maximum: 1000, description: 'Consecutive failed attempts after which endpoint.failing is sent, once per failing streak' }),
});
export const PatchOperatorSettings = Type.Partial(OperatorSettings, { additionalProperties: false });
export const OperationalEventType = Type.Object({ name: Type.String(), description: Type.String(), example: JsonObject });
export const EndpointAlert = Type.Object({
  tenantId: Type.String(),
  endpointId: Type.String(),
  url: Type.String(),
  status: Type.String(),
  failing: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  consecutiveFailures: Type.Integer(),
  updatedAt: Timestamp,
});
