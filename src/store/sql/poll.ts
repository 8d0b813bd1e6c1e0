import type { Kysely, Selectable } from 'kysely';
import { validationFailed } from '../../errors.js';
import type { PolledEvent, PollRequest } from '../store.js';
import { fixedStatement } from './fixed-statement.js';
import type { SqlDialect } from './migrator.js';
import { toEvent } from './rows.js';
import type { Database } from './schema.js';

type EventRow = Selectable<Database['events']>;

/** `<seq>` on SQLite; `<xid>.<seq>` on PostgreSQL, where a bare `<seq>` reads as `0.<seq>`. */
const CURSOR = /^(?:([0-9]{1,19})\.)?([0-9]{1,18})$/;

/**
 * Polling order. SQLite has one writer, so sequence order is commit order and the cursor is
 * the sequence. On PostgreSQL transactions commit in any order: a poller could read seq 6
 * before seq 5 commits and move past 5 for good. Events are therefore ordered by (writing
 * transaction id, seq), and only those whose transaction id is below the oldest transaction
 * still running are returned: every transaction with a smaller id has ended by then, so
 * nothing can later appear behind a cursor. No lock orders publishes (the per-tenant advisory
 * lock this replaces serialised every publish of a tenant); publish transactions do no network
 * I/O, so the horizon trails commit by about one publish. Transaction ids are server-wide: a
 * long transaction anywhere on the server holds the horizon back while it runs. Events stored
 * before this scheme have xid 0 and so come first, in seq order, as they did.
 */
export function pollStatements(kind: SqlDialect) {
  const statement = (byType: boolean) =>
    fixedStatement<EventRow>(
      kind,
      kind === 'postgres'
        ? `select * from events where tenant_id = ? and is_test = 0 and (xid, seq) > (?, ?)
             and xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint ${byType ? 'and type = ?' : ''}
           order by xid, seq limit ?`
        : `select * from events where tenant_id = ? and is_test = 0 and seq > ? ${byType ? 'and type = ?' : ''} order by seq limit ?`,
    );
  const all = statement(false);
  const ofType = statement(true);
  const cursorOf = kind === 'postgres' ? (row: EventRow) => `${row.xid}.${row.seq}` : (row: EventRow) => String(row.seq);
  return {
    async run(db: Kysely<Database>, tenantId: string, { after, limit, type }: PollRequest): Promise<PolledEvent[]> {
      const position = after === null ? [-1, -1] : parseCursor(kind, after);
      const from = kind === 'postgres' ? position : [position[1]];
      const rows = type ? await ofType.run(db, [tenantId, ...from, type, limit]) : await all.run(db, [tenantId, ...from, limit]);
      return rows.map((row) => ({ ...toEvent(row), cursor: cursorOf(row) }));
    },
  };
}

function parseCursor(kind: SqlDialect, cursor: string): [number, number] {
  const match = CURSOR.exec(cursor);
  if (!match || (kind === 'sqlite' && match[1] !== undefined)) {
    throw validationFailed('after must be a cursor from an earlier poll', [{ path: '/after', value: cursor }]);
  }
  // xid is stored as bigint; values past 2^53 are decades of transactions away.
  return [Number(match[1] ?? 0), Number(match[2])];
}
