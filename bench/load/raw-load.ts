import { Pool } from 'undici';
import { now } from '../lib/clock.js';
import { rawEnvelope } from '../lib/payload.js';
import { generateSecret } from '../../src/signing/index.js';
import { standardWebhooks } from '../../src/signing/standard-webhooks.js';
import type { LoadResult, RawJob } from './load-protocol.js';
import { runClosedLoop } from './run-bounded.js';

const SECRET = generateSecret();

/** What Herald sends: the envelope, its Standard-Webhooks signature, and the same other headers. */
function signedRequest(id: string, seq: number): { body: string; headers: Record<string, string> } {
  const body = rawEnvelope(id, seq);
  const signature = standardWebhooks({
    settings: { scheme: 'standard-webhooks' },
    secrets: [SECRET],
    verifyToken: null,
    eventId: id,
    eventType: 'bench.message',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
  });
  return { body, headers: { 'content-type': 'application/json', 'user-agent': 'Herald/0.1.0', ...signature } };
}

/** The ceiling's load: the same generator, one signed POST per item, nothing durable. */
export async function runRaw(job: RawJob): Promise<LoadResult> {
  const target = new URL(job.url);
  const pool = new Pool(target.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: job.timeoutMs, bodyTimeout: job.timeoutMs });
  const result: LoadResult = { unavailable: false, ids: new Array(job.count), sentAt: new Array(job.count), doneAt: new Array(job.count), cpuMicros: 0 };
  const cpu = process.cpuUsage();
  try {
    await runClosedLoop(job.count, job.connections, Date.now() + job.timeoutMs, async (i) => {
      const id = `${job.idPrefix}_${i}`;
      const sentAt = now();
      const response = await pool.request({ method: 'POST', path: target.pathname, ...signedRequest(id, i) });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`raw POST answered ${response.statusCode}`);
      result.ids[i] = id;
      result.sentAt[i] = sentAt;
      result.doneAt[i] = now();
    });
  } finally {
    await pool.close();
  }
  const used = process.cpuUsage(cpu);
  result.cpuMicros = used.user + used.system;
  return result;
}
