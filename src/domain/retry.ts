/**
 * Retry timing, kept pure so every worker computes the same thing and tests need no clock.
 * `attemptsInRun` counts the attempts made since the schedule (re)started: a manual re-send
 * starts a fresh run while attempt numbers keep growing.
 */
export function retryDelayMs(
  schedule: readonly number[],
  attemptsInRun: number,
  random: () => number,
  retryAfterMs: number | null = null,
): number | null {
  if (attemptsInRun >= schedule.length) return null;
  const stepMs = schedule[attemptsInRun]! * 1000;
  // ±25 % jitter spreads a burst of failures so they don't all come back at once.
  const jittered = Math.round(stepMs * (0.75 + random() * 0.5));
  if (retryAfterMs === null) return jittered;
  const cap = Math.max(...schedule) * 1000;
  return Math.max(jittered, Math.min(retryAfterMs, cap));
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
