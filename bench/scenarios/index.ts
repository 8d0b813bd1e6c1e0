import { fanOut } from './fan-out.js';
import { isolation } from './isolation.js';
import { oneAtATime } from './one-at-a-time.js';
import { scaleOut } from './scale-out.js';
import { throughput } from './throughput.js';
import type { Scenario } from './types.js';

/** Every scenario `--scenario` can name. Add one by writing `scenarios/<name>.ts` and listing it here. */
export const SCENARIOS: Scenario[] = [throughput, oneAtATime, isolation, fanOut, scaleOut];

/** What `npm run bench` runs without `--scenario`. */
export const DEFAULT_SCENARIOS = ['throughput', 'one-at-a-time'];
