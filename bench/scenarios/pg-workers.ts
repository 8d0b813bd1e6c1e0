import { measureThroughput } from './throughput-row.js';
import type { Scenario } from './types.js';

/**
 * PostgreSQL: `herald serve --no-workers` plus N `herald worker` processes, each N in the same
 * run and with the same event count, so "2 workers within 10 % of 1" compares like with like.
 */
export const pgWorkers: Scenario = {
  name: 'pg-workers',
  description: 'PostgreSQL: API process + 1, then + 2 worker processes (--workers), single-event publishes, × ceiling',
  run: async (ctx) => {
    for (const workers of ctx.options.workers) {
      const what = `PostgreSQL, API + ${workers} worker${workers === 1 ? '' : 's'}`;
      await measureThroughput(ctx, { scenario: 'pg-workers', what, label: `pg-workers-${workers}`, store: 'postgres', workers, batchSize: 1 });
    }
  },
};
