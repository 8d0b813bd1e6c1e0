import { Type } from '@sinclair/typebox';
import { validationFailed } from '../errors.js';

/** The time range and bucketing that both stats routes (per tenant, operator-wide) share. */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ranges up to this long are split by the hour, longer ones by the day. */
const HOURLY_UP_TO_MS = 48 * HOUR_MS;
const MAX_RANGE_MS = 400 * DAY_MS;

export const StatsRangeQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (default: 24 h before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range, exclusive (default: now)' })),
});

/** The fields of a stats answer that describe its range. */
export const StatsRangeFields = {
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  bucketMs: Type.Integer(),
};

export interface StatsRange {
  from: Date;
  to: Date;
  bucketMs: number;
  /** The answer's range fields, ready to spread into it. */
  fields: { from: string; to: string; bucket: 'hour' | 'day'; bucketMs: number };
}

export function statsRange(query: { from?: string | undefined; to?: string | undefined }): StatsRange {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
  const range = to.getTime() - from.getTime();
  if (range <= 0) throw validationFailed('from must be before to', [{ path: '/from' }]);
  if (range > MAX_RANGE_MS) throw validationFailed('The range is at most 400 days', [{ path: '/from' }]);
  const bucketMs = range <= HOURLY_UP_TO_MS ? HOUR_MS : DAY_MS;
  return {
    from,
    to,
    bucketMs,
    fields: { from: from.toISOString(), to: to.toISOString(), bucket: bucketMs === HOUR_MS ? 'hour' : 'day', bucketMs },
  };
}
