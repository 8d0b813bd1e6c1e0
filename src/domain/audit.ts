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
