import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Runs Herald's fixed hot-path SQL (fixed-statement.ts) as named prepared statements: each
 * connection parses and plans such a statement once instead of at every call. pg keeps the
 * prepared names per connection; PostgreSQL re-plans them itself after a schema change. Any
 * other query passes through unchanged. Kysely only calls `query` and `release` on a client.
 */
export function withPreparedStatements(pool: pg.Pool, isFixed: (text: string) => boolean): pg.Pool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `herald_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
    return name;
  };
  const wrappers = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const wrap = (client: pg.PoolClient): pg.PoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      const query = (text: unknown, values?: unknown[]) =>
        typeof text === 'string' && isFixed(text) ? client.query({ name: nameOf(text), text, values: values ?? [] }) : client.query(text as string, values);
      wrapper = { query, release: (error?: Error | boolean) => client.release(error) } as unknown as pg.PoolClient;
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return { connect: async () => wrap(await pool.connect()), end: () => pool.end() } as unknown as pg.Pool;
}
