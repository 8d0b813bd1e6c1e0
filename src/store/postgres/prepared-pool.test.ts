import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedStatement, isFixedStatement, runEachTogether, runTogether, runTogetherThenCommit } from '../sql/fixed-statement.js';
import { withPreparedStatements } from './prepared-pool.js';

const URL = process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `herald_test_${randomBytes(6).toString('hex')}`;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin(`create schema ${schema}`));
afterAll(() => admin(`drop schema ${schema} cascade`));

describe('statements sent together to PostgreSQL outside a transaction', () => {
  // As the store opens its pool: pg's pipeline mode, and the prepared statements.
  const pool = new pg.Pool({ connectionString: URL, max: 2, pipeline: true, options: `-c search_path=${schema}` } as pg.PoolConfig);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool, isFixedStatement) }) });
  const insert = fixedStatement<{ n: number }>('postgres', 'insert into together_rows (n) values (?) returning n');
  const failing = fixedStatement('postgres', 'select 1 / (? - 1) as never');

  beforeAll(() => admin(`create table ${schema}.together_rows (n integer)`));
  afterAll(() => db.destroy());

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

describe('a transaction whose last statements carry its COMMIT (runTogetherThenCommit)', () => {
  const pool = new pg.Pool({ connectionString: URL, max: 1, pipeline: true, options: `-c search_path=${schema}` } as pg.PoolConfig);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool, isFixedStatement) }) });
  const insert = fixedStatement<{ n: number }>('postgres', 'insert into ahead_rows (n) values (?) returning n');
  const failing = fixedStatement('postgres', 'select 1 / (? - 1) as never');
  const others = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` } as pg.ClientConfig);
  const seenByOthers = async () => (await others.query<{ n: number }>('select n from ahead_rows order by n')).rows.map((row) => row.n);

  beforeAll(async () => {
    await others.connect();
    await others.query('create table ahead_rows (n integer)');
  });
  afterAll(async () => {
    await db.destroy();
    await others.end();
  });

  it('commits without waiting for the transaction to end, and answers the statements’ rows', async () => {
    const result = await db.transaction().execute(async (trx) => {
      await insert.run(trx, [1]);
      const rows = await runTogetherThenCommit(trx, [
        [insert, [2]],
        [insert, [3]],
      ]);
      // The COMMIT went out with the last statements (the server runs it right after them, once
      // their answers are on their way): another session sees all three before this returns.
      let seen = await seenByOthers();
      for (let tries = 0; seen.length < 3 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen = await seenByOthers();
      }
      expect(seen).toEqual([1, 2, 3]);
      return rows;
    });
    expect(result).toEqual([[{ n: 2 }], [{ n: 3 }]]);
  });

  it('rolls back everything when one of the last statements fails, and the connection serves the next transaction', async () => {
    await others.query('truncate ahead_rows');
    const failed = db.transaction().execute(async (trx) => {
      await insert.run(trx, [1]);
      await runTogetherThenCommit(trx, [
        [insert, [2]],
        [failing, [1]],
      ]);
    });
    await expect(failed).rejects.toMatchObject({ code: '22012' });
    expect(await seenByOthers()).toEqual([]);
    await db.transaction().execute((trx) => runTogetherThenCommit(trx, [[insert, [4]]]));
    expect(await seenByOthers()).toEqual([4]);
  });

  it('refuses a statement after it, which would run outside the transaction', async () => {
    await others.query('truncate ahead_rows');
    const misused = db.transaction().execute(async (trx) => {
      await runTogetherThenCommit(trx, [[insert, [5]]]);
      await insert.run(trx, [6]);
    });
    await expect(misused).rejects.toThrow(/after its transaction was committed/);
    // What was sent before the COMMIT stands; what came after it never ran.
    expect(await seenByOthers()).toEqual([5]);
    await db.transaction().execute((trx) => insert.run(trx, [7]));
    expect(await seenByOthers()).toEqual([5, 7]);
  });
});
