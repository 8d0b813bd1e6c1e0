import type { PortalConfig } from '../config.js';
import type { EgressPolicy } from '../net/index.js';
import type { Metrics } from '../metrics.js';
import type { SecretBox } from '../signing/index.js';
import type { Store } from '../store/store.js';

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
  secretBox: SecretBox;
  egress: EgressPolicy;
  delivery: DeliveryPort;
  metrics: Metrics;
  publicUrl: string;
  /** SHA-256 of the admin token. */
  adminTokenHash: Buffer;
  /** Requests a tenant key or portal token may make per second, and its burst. */
  tenantRateLimit: { perSecond: number; burst: number };
  /** Framing and branding of the /portal page; absent, it is not frameable and unbranded. */
  portal?: PortalConfig;
}
