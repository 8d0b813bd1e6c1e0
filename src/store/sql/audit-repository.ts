import type { Kysely } from 'kysely';
import type { AuditEntry, OperatorAuditEntry } from '../../domain/audit.js';
import { isOperatorTenant } from '../../domain/operational-event.js';
import type { AuditRepository } from '../store.js';
import { toAuditEntry, toOperatorAuditEntry, toPage } from './rows.js';
import type { Database } from './schema.js';

/** The tenant trail (goes with its tenant) and the operator's (outlives the tenants it names). */
export function auditRepository(db: Kysely<Database>): AuditRepository {
  const appendOperator = async (entry: OperatorAuditEntry) => {
    await db.insertInto('operator_audit_log').values(trailRow(entry)).execute();
  };
  return {
    async append(entry) {
      // What happens to the operator's own endpoints belongs to the operator's trail.
      if (isOperatorTenant(entry.tenantId)) return appendOperator({ ...entry, targetType: entry.targetType as OperatorAuditEntry['targetType'] });
      await db.insertInto('audit_log').values({ ...trailRow(entry), tenant_id: entry.tenantId }).execute();
    },
    async list(tenantId, { limit, cursor }) {
      let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
      if (cursor) query = query.where('id', '<', cursor);
      return toPage(await query.execute(), limit, toAuditEntry, (row) => row.id);
    },
    appendOperator,
    async listOperator({ limit, cursor }) {
      let query = db.selectFrom('operator_audit_log').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (cursor) query = query.where('id', '<', cursor);
      return toPage(await query.execute(), limit, toOperatorAuditEntry, (row) => row.id);
    },
  };
}

/** The columns both trails share. */
function trailRow(entry: AuditEntry | OperatorAuditEntry) {
  return {
    id: entry.id,
    actor: entry.actor,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    details: JSON.stringify(entry.details),
    created_at: entry.createdAt.getTime(),
  };
}
