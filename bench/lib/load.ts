/**
 * Runs `task(0)` … `task(total - 1)` with at most `concurrency` in flight: `concurrency`
 * loops that each take the next index as soon as their previous task ends (a closed loop,
 * like real publishers that wait for their answer).
 */
export async function runConcurrent(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, loop));
}
