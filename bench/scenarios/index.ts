import { oneAtATime } from './one-at-a-time.js';
import { throughput } from './throughput.js';
import type { Scenario } from './types.js';

/** Every scenario `--scenario` can name. Add one by writing `scenarios/<name>.ts` and listing it here. */
export const SCENARIOS: Scenario[] = [throughput, oneAtATime];

/** What `npm run bench` runs without `--scenario`. */
export const DEFAULT_SCENARIOS = ['throughput', 'one-at-a-time'];
