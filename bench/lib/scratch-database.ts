import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway database; `drop()` removes it, once. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * `create database <prefix>_<random>` on the server of `baseUrl`, for one bench run or one test
 * file (the bench's PostgreSQL rows and the cluster tests share this).
 */
export async function createScratchDatabase(baseUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) ends sessions a SIGKILLed child may have left for the server to notice.
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}
