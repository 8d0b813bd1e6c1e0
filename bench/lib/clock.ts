/**
 * Milliseconds since the Unix epoch with sub-millisecond resolution. The bench process and
 * the receiver child both use it, so their timestamps can be subtracted from each other:
 * `timeOrigin` anchors each process's monotonic clock to the same wall clock.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
