/** `[event id or null, request path, arrival time (clock.now())]` */
export type Arrival = [id: string | null, path: string, at: number];

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'arrivals'; arrivals: Arrival[] }
  | { type: 'stats'; total: number; byPath: Record<string, number>; cpuMicros: number };

export type ParentMessage = { type: 'stats' } | { type: 'stop' };
