import { Pool } from 'undici';
import { now } from '../lib/clock.js';
import { eventData } from '../lib/payload.js';
import type { LoadResult, PublishJob } from './load-protocol.js';
import { runClosedLoop, runOpenLoop } from './run-bounded.js';

interface Published {
  ids: string[];
  /** 404 from the batch route: this code has none. */
  unavailable?: boolean;
}

function requestBody(job: PublishJob, first: number, size: number): string {
  const events = Array.from({ length: size }, (_, k) => {
    const seq = job.seqBase + first + k;
    return { type: job.types[seq % job.types.length]!, data: eventData(seq) };
  });
  return JSON.stringify(job.batchSize === 1 ? events[0] : { events });
}

async function send(pool: Pool, job: PublishJob, request: number, first: number, size: number): Promise<Published> {
  const tenant = job.tenants[request % job.tenants.length]!;
  const path = `/api/v1/tenants/${tenant}/events${job.batchSize === 1 ? '' : '/batch'}`;
  const headers = { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' };
  const response = await pool.request({ method: 'POST', path, headers, body: requestBody(job, first, size) });
  const text = await response.body.text();
  if (response.statusCode === 404 && job.batchSize > 1) return { ids: [], unavailable: true };
  if (response.statusCode !== 202) throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  // A single publish answers the envelope (whose own `data` is the payload); a batch, {data: [envelope, …]}.
  if (job.batchSize === 1) return { ids: [(JSON.parse(text) as { id: string }).id] };
  return { ids: (JSON.parse(text) as { data: Array<{ id: string }> }).data.map((e) => e.id) };
}

/**
 * Publishes `job.count` events in requests of `job.batchSize`. Every event of a batch gets
 * its request's sent and answered times.
 */
export async function runPublish(job: PublishJob): Promise<LoadResult> {
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: job.timeoutMs, bodyTimeout: job.timeoutMs });
  const requests = Math.ceil(job.count / job.batchSize);
  const result: LoadResult = { unavailable: false, ids: new Array(job.count), sentAt: new Array(job.count), doneAt: new Array(job.count), cpuMicros: 0 };
  const deadline = Date.now() + job.timeoutMs;
  const cpu = process.cpuUsage();
  const one = async (r: number, dueAt: number) => {
    if (result.unavailable) return;
    const first = r * job.batchSize;
    const size = Math.min(job.batchSize, job.count - first);
    const sentAt = Math.min(dueAt, now());
    const answer = await send(pool, job, r, first, size);
    const doneAt = now();
    if (answer.unavailable) result.unavailable = true;
    answer.ids.forEach((id, k) => {
      result.ids[first + k] = id;
      result.sentAt[first + k] = sentAt;
      result.doneAt[first + k] = doneAt;
    });
  };
  try {
    if (job.ratePerSecond === null) await runClosedLoop(requests, job.connections, deadline, (r) => one(r, Number.POSITIVE_INFINITY));
    else await runOpenLoop(requests, job.ratePerSecond / job.batchSize, now(), deadline, one);
  } finally {
    await pool.close();
  }
  const used = process.cpuUsage(cpu);
  result.cpuMicros = used.user + used.system;
  if (result.unavailable) return { ...result, ids: [], sentAt: [], doneAt: [] };
  return result;
}
