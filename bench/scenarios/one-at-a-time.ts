import { compareWithRaw } from './compare.js';
import type { Scenario } from './types.js';

/**
 * One publisher, each publish waiting for its 202. Every event costs two exchanges (publish in,
 * delivery out) against the ceiling's one, so about 50 % of the raw figure is the expected wall.
 */
export const oneAtATime: Scenario = {
  name: 'one-at-a-time',
  description: 'concurrency 1: one publisher and one raw client, --serial-events events',
  run: (ctx) => compareWithRaw(ctx, 'one-at-a-time', ctx.options.serialEvents, 1),
};
