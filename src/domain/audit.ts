export type Actor = 'admin' | 'tenant_key' | 'portal' | 'system';

export interface AuditEntry {
  id: string;
  tenantId: string;
  actor: Actor;
  action: string;
  targetType: 'endpoint' | 'tenant' | 'api_key' | 'portal_token' | 'delivery';
  targetId: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

/**
 * What the operator did to things no tenant owns (the catalog) or to tenants themselves.
 * Kept apart from the tenant trail: a deleted tenant's own log goes with it, this one stays.
 */
export interface OperatorAuditEntry {
  id: string;
  actor: Actor;
  action: string;
  /** `endpoint` and `delivery`: the operator's own endpoints (operational events). */
  targetType: 'event_type' | 'tenant' | 'endpoint' | 'delivery' | 'settings';
  targetId: string;
  details: Record<string, unknown>;
  createdAt: Date;
}
