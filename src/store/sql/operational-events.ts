import type { Kysely } from 'kysely';
import { toEnvelope } from '../../domain/event.js';
import { matchesFilter } from '../../domain/filter.js';
import { ids } from '../../domain/ids.js';
import { OPERATOR_TENANT_ID, DEFAULT_OPERATOR_SETTINGS, type OperationalEvent, type OperatorSettings } from '../../domain/operational-event.js';
import { matchesEventType } from '../../domain/subscription.js';
import type { TenantSettings } from '../../domain/tenant.js';
import { fixedStatement } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { publishInTransaction, type DueWork, type PublishStatements } from './publish.js';
import type { Database } from './schema.js';

export const OPERATOR_SETTINGS_KEY = 'operator_settings';

/**
 * Operational events are written in the transaction of their cause (an attempt's record, an
 * enable or disable, a quota notice), so each is stored exactly once however many processes
 * run: a cause that rolls back takes its event with it, and no two transactions record the
 * same cause. The fan-out reads the operator's endpoints (a handful, one indexed read) and
 * matches them with the domain's own subscription and filter rules, then goes through the
 * publish statements every event takes; the events of one transaction are one publish.
 */
export function operationalStatements(kind: SqlDialect) {
  return {
    operatorEndpoints: fixedStatement<{ id: string; event_types: string; filter: string | null; settings: string }>(
      kind,
      `select e.id, e.event_types, e.filter, t.settings from endpoints e join tenants t on t.id = e.tenant_id where e.tenant_id = ? order by e.id`,
    ),
    settings: fixedStatement<{ value: string }>(kind, `select value from meta where key = ?`),
  };
}

export type OperationalStatements = ReturnType<typeof operationalStatements>;

export async function readOperatorSettings(trx: Kysely<Database>, q: OperationalStatements): Promise<OperatorSettings> {
  const [row] = await q.settings.run(trx, [OPERATOR_SETTINGS_KEY]);
  return row ? { ...DEFAULT_OPERATOR_SETTINGS, ...(JSON.parse(row.value) as Partial<OperatorSettings>) } : DEFAULT_OPERATOR_SETTINGS;
}

/** Publishes `events` to the operator's matching endpoints inside `trx`; answers the work it made due. */
export async function emitOperational(
  trx: Kysely<Database>,
  q: OperationalStatements & { publish: PublishStatements },
  events: readonly OperationalEvent[],
  now: Date,
): Promise<DueWork | null> {
  if (events.length === 0) return null;
  const endpoints = await q.operatorEndpoints.run(trx, [OPERATOR_TENANT_ID]);
  const settings = endpoints[0] ? (JSON.parse(endpoints[0].settings) as TenantSettings) : null;
  const items = events.map(({ type, data }) => {
    const event = { id: ids.next('evt'), tenantId: OPERATOR_TENANT_ID, type, createdAt: now, data, idempotencyKey: null };
    const envelope = toEnvelope(event, settings?.envelope ?? 'snake');
    const matched = endpoints.filter((e) => matchesEventType(JSON.parse(e.event_types) as string[], type) && matchesFilter(e.filter === null ? null : JSON.parse(e.filter), envelope));
    return { event, deliveries: matched.map((e) => ({ id: ids.next('dlv'), endpointId: e.id })) };
  });
  const { due } = await publishInTransaction(trx, q.publish, [{ tenantId: OPERATOR_TENANT_ID, items, maxAttempts: settings?.retrySchedule.length ?? 1 }]);
  return due;
}
