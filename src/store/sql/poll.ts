import type { Kysely, Selectable } from 'kysely';
import { validationFailed } from '../../errors.js';
import type { PolledEvent, PollRequest } from '../store.js';
import { fixedStatement } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';

type EventRow = Selectable<Database['events']>;

const SEQUENCE = /^[0-9]{1,18}$/;

/** Polling in publish order by sequence; the cursor is the last event's sequence, as text. */
export function pollStatements(kind: SqlDialect) {
  const all = fixedStatement<EventRow>(kind, `select * from events where tenant_id = ? and is_test = 0 and seq > ? order by seq limit ?`);
  const ofType = fixedStatement<EventRow>(kind, `select * from events where tenant_id = ? and is_test = 0 and seq > ? and type = ? order by seq limit ?`);
  return {
    async run(db: Kysely<Database>, tenantId: string, { after, limit, type }: PollRequest): Promise<PolledEvent[]> {
      if (after !== null && !SEQUENCE.test(after)) throw validationFailed('after must be a cursor from an earlier poll', [{ path: '/after', value: after }]);
      const from = after === null ? -1 : Number(after);
      const rows = type ? await ofType.run(db, [tenantId, from, type, limit]) : await all.run(db, [tenantId, from, limit]);
      return rows.map((row) => ({ ...toEvent(row), cursor: String(row.seq) }));
    },
  };
}
