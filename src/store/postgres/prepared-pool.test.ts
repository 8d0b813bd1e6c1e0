import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedStatement, isFixedStatement, runEachTogether, runTogether } from '../sql/fixed-statement.js';
import { withPreparedStatements } from './prepared-pool.js';

const URL = process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `herald_test_${randomBytes(6).toString('hex')}`;

describe('statements sent together to PostgreSQL outside a transaction', () => {
  // As the store opens its pool: pg's pipeline mode, and the prepared statements.
  const pool = new pg.Pool({ connectionString: URL, max: 2, pipeline: true, options: `-c search_path=${schema}` } as pg.PoolConfig);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool, isFixedStatement) }) });
  const insert = fixedStatement<{ n: number }>('postgres', 'insert into together_rows (n) values (?) returning n');
  const failing = fixedStatement('postgres', 'select 1 / (? - 1) as never');

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    await admin.query(`create schema ${schema}; create table ${schema}.together_rows (n integer)`);
    await admin.end();
  });
  afterAll(async () => {
    await db.destroy();
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  it('commits each on its own, and answers each one’s outcome (runEachTogether)', async () => {
    const [inserted, failed] = await runEachTogether(db, [
      [insert, [1]],
      [failing, [1]],
    ]);
    expect(inserted).toEqual({ rows: [{ n: 1 }] });
    expect((failed as { error: { code: string } }).error.code).toBe('22012'); // division_by_zero
    // The first committed although the second failed.
    expect((await db.selectFrom('together_rows').select('n').execute()).map((row) => row.n)).toEqual([1]);
  });

  it('fails with the first error (runTogether)', async () => {
    await expect(runTogether(db, [[failing, [1]], [insert, [2]]])).rejects.toMatchObject({ code: '22012' });
  });
});
