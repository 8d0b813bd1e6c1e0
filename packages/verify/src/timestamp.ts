import { TimestampError } from './errors.js';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Refuses a timestamp outside the tolerance either way: replays are old, clock games are new. */
export function checkTimestamp(raw: string, toleranceSeconds: number, now: Date): number {
  if (!/^\d{1,12}$/.test(raw)) throw new TimestampError('invalid', null);
  const timestamp = Number(raw);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (timestamp < nowSeconds - toleranceSeconds) throw new TimestampError('too_old', timestamp);
  if (timestamp > nowSeconds + toleranceSeconds) throw new TimestampError('too_new', timestamp);
  return timestamp;
}
