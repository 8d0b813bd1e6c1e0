import { compareWithRaw } from './compare.js';
import type { Scenario } from './types.js';

export const throughput: Scenario = {
  name: 'throughput',
  description: 'N events from C concurrent publishers to one healthy endpoint, against the raw ceiling at C',
  run: (ctx) => compareWithRaw(ctx, 'throughput', ctx.options.events, ctx.options.concurrency),
};
