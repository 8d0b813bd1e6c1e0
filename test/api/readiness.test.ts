import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald | undefined;
afterAll(async () => {
  await herald?.stop().catch(() => {});
  if (herald) removeDir(herald.dir);
});

describe('GET /readyz', () => {
  it('answers 200 without a token while the database answers and the engine runs, 503 once the database is gone', async () => {
    herald = await startTestHerald();
    const ready = await fetch(`${herald.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, engine: true });
    expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);

    // The database goes away under a running API: readiness says so, liveness does not.
    await herald.store.close();
    const gone = await fetch(`${herald.url}/readyz`);
    expect(gone.status).toBe(503);
    expect(await gone.json()).toMatchObject({ status: 'not_ready', database: false });
    expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
  });
});
