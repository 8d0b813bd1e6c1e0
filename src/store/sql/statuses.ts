import { sql } from 'kysely';

// Delivery-status conditions written into the SQL rather than bound as parameters: a partial
// index (`deliveries_due`, `deliveries_leased`, `deliveries_failing`) is only used when the
// query's condition matches its own literally. Bound, the claim read every waiting row of an
// endpoint: 20 ms per claim at a 100k backlog against 0.16 ms literal (measured with
// bench/sql-profile).

/** deliveries_leased's rows: an attempt in flight. */
export const LEASED = `status = 'delivering'`;

/** deliveries_due's rows: waiting for an attempt, new or a retry. */
export const WAITING = `status in ('pending', 'failed')`;

/** deliveries_failing's rows (migration 0013): a retry is scheduled, or no attempt is left. */
export const FAILING = `status in ('failed', 'dead')`;

/** A condition above as Kysely takes it; on `table`'s status column where a query has several tables. */
export const statusIs = (condition: string, table?: string) => sql<boolean>`${sql.raw(table ? `${table}.${condition}` : condition)}`;

export const isLeased = statusIs(LEASED);
