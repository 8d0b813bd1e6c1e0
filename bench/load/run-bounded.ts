/**
 * The load loops: every one is bounded by a count and a deadline, so no run can go on for
 * ever whatever the server does.
 */

/** Closed loop: `lanes` loops that each start task i as soon as their previous task ends. */
export async function runClosedLoop(total: number, lanes: number, deadline: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      if (Date.now() > deadline) throw new Error(`load not done by its deadline (${next} of ${total} started)`);
      await task(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, total)) }, lane));
}

/**
 * Open loop: task i starts at `start + i × interval` whatever the earlier ones are doing, as
 * real traffic arrives. Requests beyond the pool's connections queue in the client, and the
 * caller stamps each with its due time, so queueing counts as latency (no coordinated omission).
 */
export async function runOpenLoop(total: number, perSecond: number, start: number, deadline: number, task: (index: number, dueAt: number) => Promise<void>): Promise<void> {
  const running: Array<Promise<void>> = [];
  let failure: unknown = null;
  const intervalMs = 1000 / perSecond;
  for (let i = 0; i < total; i++) {
    const dueAt = start + i * intervalMs;
    const wait = dueAt - performance.timeOrigin - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (failure !== null) break;
    if (Date.now() > deadline) throw new Error(`load not done by its deadline (${i} of ${total} started)`);
    running.push(task(i, dueAt).catch((error: unknown) => void (failure ??= error)));
  }
  await Promise.all(running);
  if (failure !== null) throw failure;
}
