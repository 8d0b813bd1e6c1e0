import type { Kysely } from 'kysely';
import type { EventRepository } from '../store.js';
import { markDueStatement } from './endpoint-schedule.js';
import type { SqlDialect } from './migrator.js';
import { pollStatements } from './poll.js';
import { publishInOneStatement, publishInTransaction, publishStatementPostgres, publishStatements } from './publish.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export function eventRepository(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect): EventRepository {
  const statements = publishStatements(kind);
  const markDue = markDueStatement();
  const postgresPublish = kind === 'postgres' ? publishStatementPostgres() : null;
  const poll = pollStatements(kind);
  return {
    async publish(input) {
      const oneStatement = dialect.oneStatementPublish;
      if (oneStatement && postgresPublish) {
        const { result, due } = await oneStatement.retry(() => publishInOneStatement(db, postgresPublish, statements.eventsByKey, input, oneStatement.notify));
        if (due) oneStatement.wakeLocally();
        return result;
      }
      const { result, due } = await dialect.transaction(async (trx) => {
        const published = await publishInTransaction(trx, statements, input);
        if (published.due) await markDue(trx, published.due.endpointIds, published.due.at);
        return published;
      });
      if (due) await dialect.wake();
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
