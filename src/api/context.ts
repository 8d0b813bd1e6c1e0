import type { PortalConfig } from '../config.js';
import type { EgressPolicy } from '../net/index.js';
import type { Metrics } from '../metrics.js';
import type { SecretBox } from '../signing/index.js';
import type { Store } from '../store/store.js';
import type { Tracing } from '../telemetry/tracing.js';
import type { CatalogCache } from './catalog-cache.js';
import type { EndpointMatchers } from './endpoint-matchers.js';

/** What the API needs from the delivery side; the engine provides it, wired in main.ts. */
export interface DeliveryPort {
  /** Makes one attempt of an existing delivery now (test sends). */
  attemptNow(
    tenantId: string,
    deliveryId: string,
  ): Promise<{ succeeded: boolean; statusCode: number | null; durationMs: number; responseBody: string | null; error: string | null } | null>;
  /** Runs the verification handshake; answers the reason when it failed. */
  verifyEndpoint(tenantId: string, endpointId: string): Promise<{ verified: boolean; reason: string | null }>;
}

export interface ApiContext {
  store: Store;
  /** The tenants' endpoint matchers, kept in memory for publish; built and closed in main.ts. */
  matchers: EndpointMatchers;
  /** Tenants and event types, kept in memory for publish and auth; built and closed in main.ts. */
  catalog: CatalogCache;
  secretBox: SecretBox;
  egress: EgressPolicy;
  delivery: DeliveryPort;
  metrics: Metrics;
  /** For `/readyz`: whether the database answers and, where this process delivers, the engine runs. */
  readiness(): Promise<{ database: boolean; engine: boolean | null }>;
  /** OpenTelemetry when configured, else a no-op: a publish is a trace. */
  tracing: Tracing;
  publicUrl: string;
  /** SHA-256 of the admin token. */
  adminTokenHash: Buffer;
  /** Requests a tenant key or portal token may make per second, and its burst. */
  tenantRateLimit: { perSecond: number; burst: number };
  /** Addresses or CIDRs of proxies whose `X-Forwarded-For` names the client (HERALD_TRUST_PROXY). */
  trustProxy?: readonly string[];
  /** HERALD_METRICS_TOKEN: when set, `/metrics` needs it as a bearer token. */
  metricsToken?: string | null;
  /** Framing and branding of the /portal page; absent, it is not frameable and unbranded. */
  portal?: PortalConfig;
}
