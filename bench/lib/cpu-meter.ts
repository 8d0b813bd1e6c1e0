import type { ReceiverProcess } from './receiver-process.js';

export interface CpuPerItem {
  /** This process (load generator + Herald when it runs here), user + system, µs per item. */
  benchMicros: number;
  /** The receiver child, µs per item. */
  receiverMicros: number;
}

/**
 * CPU time per request or event, in both processes. Unlike rates, it barely moves when
 * other work shares the machine, so it is the figure to compare across runs and commits.
 */
export async function startCpuMeter(receiver: ReceiverProcess): Promise<(items: number) => Promise<CpuPerItem>> {
  const bench = process.cpuUsage();
  const child = (await receiver.stats()).cpuMicros;
  return async (items) => {
    const used = process.cpuUsage(bench);
    const childUsed = (await receiver.stats()).cpuMicros - child;
    return { benchMicros: (used.user + used.system) / items, receiverMicros: childUsed / items };
  };
}
