import type { EndpointStatus } from '../domain/endpoint.js';
import type { Page, PageRequest } from '../domain/page.js';

/** The operator's health page (issue 14): tenants a page at a time, each with its figures. */
export interface HealthRepository {
  /** Tenants in id order; every figure is read for the page's tenants only. */
  tenants(query: HealthQuery, page: PageRequest): Promise<Page<TenantHealth>>;
}

export interface HealthQuery {
  /** Matches a tenant's id or name, or one of its endpoints' URLs, ignoring case. */
  search?: string | undefined;
  /** Only tenants with an endpoint that is not active, or active and failing. */
  attentionOnly?: boolean | undefined;
  /** Attempt figures count attempts started in [since, until). */
  since: Date;
  until: Date;
}

export interface TenantHealth {
  tenantId: string;
  tenantName: string;
  /** `unverified`: pending or failed verification; `failing`: active with consecutive failures. */
  endpoints: { total: number; active: number; disabled: number; unverified: number; failing: number };
  /** Test sends aside; `pending` includes deliveries in flight. */
  deliveries: { pending: number; failed: number; dead: number };
  attempts: { attempts: number; succeeded: number; avgLatencyMs: number | null; maxLatencyMs: number | null };
  /** The few endpoints most in need of a look: disabled, then unverified, then the most failing. */
  attention: EndpointNeedingAttention[];
}

export interface EndpointNeedingAttention {
  id: string;
  url: string;
  status: EndpointStatus;
  disabledReason: string | null;
  consecutiveFailures: number;
}
