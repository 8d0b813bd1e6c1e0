import { measureThroughput } from './throughput-row.js';
import type { Scenario } from './types.js';

/** Events per batch request, as the target says. */
const BATCH = 100;

export const sqliteBatch: Scenario = {
  name: 'sqlite-batch',
  description: `SQLite: the same events in batches of ${BATCH} (POST …/events/batch); "not available" where the route answers 404`,
  run: async (ctx) => {
    await measureThroughput(ctx, { scenario: 'sqlite-batch', what: `SQLite, ${BATCH} events per batch publish`, label: 'sqlite-batch', store: 'sqlite', workers: 0, batchSize: BATCH });
  },
};
