import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../sql/schema.js';
import { groupCommit } from './group-commit.js';

describe('group commit', () => {
  let db: Kysely<Database>;
  beforeEach(() => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  });
  afterEach(() => db.destroy());

  it('runs publishes (first) in a transaction of their own, before the work queued ahead of them', async () => {
    const transaction = groupCommit(db);
    const ran: string[] = [];
    const work = (name: string) => async (trx: Kysely<Database>) => {
      ran.push(name);
      return trx;
    };
    const [record, claim, publish, secondPublish] = await Promise.all([
      transaction(work('record')),
      transaction(work('claim')),
      transaction(work('publish'), { first: true }),
      transaction(work('second publish'), { first: true }),
    ]);
    expect(ran).toEqual(['publish', 'second publish', 'record', 'claim']);
    // Each lane shares one transaction; the two lanes do not.
    expect(publish).toBe(secondPublish);
    expect(record).toBe(claim);
    expect(publish).not.toBe(record);
  });

  it("rolls back only a failing caller's work", async () => {
    const transaction = groupCommit(db);
    await transaction((trx) => trx.schema.createTable('t').addColumn('n', 'integer').execute());
    const insert = (n: number) => (trx: Kysely<Database>) => (trx as unknown as Kysely<{ t: { n: number } }>).insertInto('t').values({ n }).execute();
    const outcomes = await Promise.allSettled([
      transaction(insert(1)),
      transaction(async (trx) => {
        await insert(2)(trx);
        throw new Error('refused');
      }),
      transaction(insert(3), { first: true }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await (db as unknown as Kysely<{ t: { n: number } }>).selectFrom('t').select('n').orderBy('n').execute();
    expect(rows.map((row) => row.n)).toEqual([1, 3]);
  });
});
