import { measureThroughput } from './throughput-row.js';
import type { Scenario } from './types.js';

export const sqliteSingle: Scenario = {
  name: 'sqlite-single',
  description: 'SQLite, one `herald serve`: single-event publishes over all connections, end to end, × ceiling',
  run: async (ctx) => {
    await measureThroughput(ctx, { scenario: 'sqlite-single', what: 'SQLite, single-event publishes', label: 'sqlite-single', store: 'sqlite', workers: 0, batchSize: 1 });
  },
};
