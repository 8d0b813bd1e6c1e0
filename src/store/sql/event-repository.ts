import type { Kysely } from 'kysely';
import type { EventRepository } from '../store.js';
import { markDueStatements } from './endpoint-schedule.js';
import type { SqlDialect } from './migrator.js';
import { pollStatements } from './poll.js';
import { publishInTransaction, publishStatements } from './publish.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export function eventRepository(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect): EventRepository {
  const statements = publishStatements(kind);
  const markDue = markDueStatements(kind);
  const poll = pollStatements(kind);
  return {
    async publish(input) {
      const { result, due } = await dialect.transaction(async (trx) => {
        const published = await publishInTransaction(trx, statements, input);
        if (published.due && !dialect.markDueAfterCommit) await markDue(trx, published.due.endpointIds, published.due.at);
        return published;
      });
      if (due) {
        // The events are stored: a failed mark must not turn that into an error. The safety
        // sweep repairs a schedule left behind (repairSchedules in delivery-queue.ts).
        if (dialect.markDueAfterCommit) await markDue(db, due.endpointIds, due.at).catch(() => {});
        await dialect.wake();
      }
      return result;
    },
    async get(tenantId, id) {
      const row = await db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toEvent(row) : null;
    },
    poll: (tenantId, request) => poll.run(db, tenantId, request),
    async pruneOlderThan(tenantId, before, limit) {
      const doomed = db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).where('created_at', '<', before.getTime()).limit(limit);
      // Deliveries and attempts go with their event (ON DELETE CASCADE).
      const result = await db.deleteFrom('events').where('id', 'in', doomed).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
