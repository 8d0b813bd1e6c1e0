import { Type } from '@sinclair/typebox';
import type { Store } from '../store/store.js';
import { StatsRangeFields, type StatsRange } from './stats-range.js';

/** Deliveries of all tenants by outcome over a range: the operator's chart (`/stats`, `/operator/health`). */

const Counts = {
  succeeded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0, description: '`failed` or `dead`' }),
  pending: Type.Integer({ minimum: 0, description: '`pending` or `delivering`' }),
};

export const OutcomeChart = Type.Object({
  ...StatsRangeFields,
  totals: Type.Object(Counts),
  buckets: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), ...Counts }), {
    description: 'Buckets with at least one delivery, oldest first; each starts at a multiple of bucketMs since the epoch (UTC)',
  }),
});

export async function outcomeChart(store: Store, range: StatsRange) {
  const rows = await store.deliveries.outcomeStats(range.from, range.to, range.bucketMs);
  const totals = { succeeded: 0, failed: 0, pending: 0 };
  for (const row of rows) {
    totals.succeeded += row.succeeded;
    totals.failed += row.failed;
    totals.pending += row.pending;
  }
  return {
    ...range.fields,
    totals,
    buckets: rows.map((row) => ({ start: row.bucketStart.toISOString(), succeeded: row.succeeded, failed: row.failed, pending: row.pending })),
  };
}
