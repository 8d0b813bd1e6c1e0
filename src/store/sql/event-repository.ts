import type { Kysely } from 'kysely';
import type { EventRepository, PublishInput } from '../store.js';
import { dueMarker, markDueCall, publishingTransaction } from './endpoint-schedule.js';
import type { SqlDialect } from './migrator.js';
import { emitOperational, operationalStatements } from './operational-events.js';
import { pollStatements } from './poll.js';
import { publishInGroups } from './publish-groups.js';
import { type DeliveryWriter, publishInOneStatement, publishInTransaction, publishStatementPostgres, publishStatements } from './publish.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export function eventRepository(db: Kysely<Database>, kind: SqlDialect, dialect: StoreDialect, writer: DeliveryWriter | null = null): EventRepository {
  const statements = publishStatements(kind);
  const operational = { ...operationalStatements(kind), publish: statements };
  const publishing = publishingTransaction(db, kind, dialect);
  const marker = dueMarker(db, kind, dialect);
  const postgresPublish = kind === 'postgres' ? publishStatementPostgres() : null;
  const postgresStatements = postgresPublish && { publish: postgresPublish, keys: statements.eventsByKey, markDue: markDueCall(kind, dialect.wakeNotice) };
  const publishOnce = postgresStatements
    ? async (take: () => PublishInput[]) => {
        const members = take();
        const { results, due, lowered } = await dialect.retry(() => publishInOneStatement(db, postgresStatements, members));
        // The mark woke the other processes itself (markDueCall).
        if (lowered) dialect.wakeHere();
        return { results, due };
      }
    : // SQLite marks the endpoints due inside the publish's transaction: nothing is left to mark
      // after it. Publishes go before the engine's records and claims (group-commit.ts).
      async (take: () => PublishInput[]) => ({
        results: await publishing(async (trx) => {
          const { results, due } = await publishInTransaction(trx, statements, take(), writer);
          return { value: results, due: [due] };
        }, { first: true }),
        due: null,
      });
  // A failed mark after the commit must not answer the publish with an error: its events are
  // stored, and the client would send them again. On SQLite the publishes read in one turn of
  // the event loop form one group (commits per 5,200 single publishes: 923 → 713).
  const publishGrouped = publishInGroups(publishOnce, (due) => marker.markAfterCommit([due]));
  const poll = pollStatements(kind);
  return {
    async publish(input) {
      // A publish that tells the operator something (a quota crossing) takes the transaction.
      if (!input.operational?.length) return publishGrouped(input);
      return publishing(async (trx) => {
        const { results, due } = await publishInTransaction(trx, statements, [input], writer);
        // The operator hears of a quota crossing in the same write as the tenant's own notice.
        const operatorDue = await emitOperational(trx, operational, input.operational ?? [], input.items[0]?.event.createdAt ?? new Date());
        return { value: results[0]!, due: [due, operatorDue] };
      });
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

