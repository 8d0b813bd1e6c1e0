import type { FastifyRequest } from 'fastify';
import type { AuditEntry, OperatorAuditEntry } from '../domain/audit.js';
import { ids } from '../domain/ids.js';
import type { Store } from '../store/store.js';
import { principalOf } from './plugins/auth.js';
import { actorOf } from './principal.js';

/** Appends an audit entry for what the request's principal just did. */
export function audit(
  store: Store,
  request: FastifyRequest,
  entry: Pick<AuditEntry, 'tenantId' | 'action' | 'targetType' | 'targetId'> & { details?: Record<string, unknown> },
): Promise<void> {
  return store.audit.append({
    id: ids.next('aud'),
    actor: actorOf(principalOf(request)),
    details: {},
    createdAt: new Date(),
    ...entry,
  });
}

/** Appends to the operator's trail: catalog changes, and tenants created, changed or deleted. */
export function operatorAudit(
  store: Store,
  request: FastifyRequest,
  entry: Pick<OperatorAuditEntry, 'action' | 'targetType' | 'targetId'> & { details?: Record<string, unknown> },
): Promise<void> {
  return store.audit.appendOperator({
    id: ids.next('aud'),
    actor: actorOf(principalOf(request)),
    details: {},
    createdAt: new Date(),
    ...entry,
  });
}
