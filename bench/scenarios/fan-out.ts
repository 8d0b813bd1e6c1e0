import { waitUntil } from '../lib/arrivals.js';
import { startCpuMeter } from '../lib/cpu-meter.js';
import { maxOf, minOf, perSecond, summarize } from '../lib/stats.js';
import { prepareHerald, publishEvents } from './measure-herald.js';
import type { Scenario } from './types.js';

const ENDPOINTS = 50;
/** Few events: each is 50 deliveries, and the latency of interest is the last of them. */
const EVENTS = 100;
const PUBLISHERS = 4;

export const fanOut: Scenario = {
  name: 'fan-out',
  description: `each event to ${ENDPOINTS} endpoints: deliveries/s and publish → last arrival`,
  async run(ctx) {
    const paths = Array.from({ length: ENDPOINTS }, (_, i) => `/ok/fan-${i}`);
    const { bench } = await prepareHerald(ctx, { endpointPaths: paths });
    try {
      const allArrived = (ids: string[]) => () => ids.every((id) => (ctx.receiver.arrivals.get(id)?.count ?? 0) >= ENDPOINTS);
      const warm = await publishEvents(bench, 10, PUBLISHERS);
      await waitUntil(allArrived(warm.map((e) => e.id)), ctx.options.timeoutMs, 'fan-out warm-up');

      ctx.log(`fan-out: ${EVENTS} events × ${ENDPOINTS} endpoints, ${PUBLISHERS} publishers`);
      const meter = await startCpuMeter(ctx.receiver);
      const published = await publishEvents(bench, EVENTS, PUBLISHERS, 10);
      await waitUntil(allArrived(published.map((e) => e.id)), ctx.options.timeoutMs, 'fan-out deliveries');
      const cpu = await meter(EVENTS * ENDPOINTS);
      const lastOf = (id: string) => ctx.receiver.arrivals.get(id)!.last;
      const firstSent = minOf(published.map((e) => e.sentAt));
      const wallMs = maxOf(published.map((e) => lastOf(e.id))) - firstSent;
      const deliveries = EVENTS * ENDPOINTS;
      ctx.report({
        scenario: 'fan-out',
        path: `Herald, ${ENDPOINTS} endpoints`,
        concurrency: PUBLISHERS,
        count: deliveries,
        throughput: perSecond(deliveries, wallMs),
        acceptRate: perSecond(EVENTS, maxOf(published.map((e) => e.acceptedAt)) - firstSent),
        // Publish sent → the 50th endpoint's arrival.
        latency: summarize(published.map((e) => lastOf(e.id) - e.sentAt)),
        percentOfRaw: null,
        cpuMicrosPerItem: cpu.benchMicros,
        details: { wallMs, events: EVENTS, endpoints: ENDPOINTS, cpuMicrosPerItem: cpu },
      });
    } finally {
      await bench.close();
    }
  },
};
