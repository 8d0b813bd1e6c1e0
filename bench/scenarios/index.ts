import { backlog } from './backlog.js';
import { ceiling } from './ceiling.js';
import { fanOut } from './fan-out.js';
import { fifo } from './fifo.js';
import { growth } from './growth.js';
import { isolation } from './isolation.js';
import { latency } from './latency.js';
import { pgWorkers } from './pg-workers.js';
import { sqliteBatch } from './sqlite-batch.js';
import { sqliteSingle } from './sqlite-single.js';
import type { Scenario } from './types.js';

/** Every scenario `--scenario` can name. Add one by writing `scenarios/<name>.ts` and listing it here. */
export const SCENARIOS: Scenario[] = [ceiling, sqliteSingle, sqliteBatch, pgWorkers, latency, fanOut, isolation, backlog, fifo, growth];

/** What `npm run bench` runs without `--scenario`: all of them (about 8 minutes on 2 cores). */
export const DEFAULT_SCENARIOS = SCENARIOS.filter((s) => s.name !== 'ceiling').map((s) => s.name);
