import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from '../support/herald.js';
import { killHeraldProcesses, startHeraldProcess, type HeraldProcess } from '../support/herald-process.js';
import { Receiver } from '../support/receiver.js';

/**
 * Issue 12, item 2: no remote answer makes Herald read more than 64 KiB. The receiver
 * answers 200 MB to the verification handshake and to deliveries; the Herald child
 * process's RSS must not follow, and the answers come back at once.
 */

const ADMIN = 'huge-answers-admin-token';
const ANSWER_BYTES = 200 * 1024 * 1024;
// Wide on purpose: reading the answer would add ~200 MB (the issue measured +700 MB for 256 MB).
const RSS_GROWTH_BOUND = 80 * 1024 * 1024;

let dir: string;
let herald: HeraldProcess;
let receiver: Receiver;
let bytesWritten = 0;

/** Streams `ANSWER_BYTES` with backpressure, and stops as soon as the client goes away. */
async function streamHuge(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(ANSWER_BYTES) });
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  let closed = false;
  res.on('close', () => (closed = true));
  for (let sent = 0; sent < ANSWER_BYTES && !closed; sent += chunk.length) {
    bytesWritten += chunk.length;
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-huge-'));
  receiver = await Receiver.start((_request, res) => streamHuge(res));
  herald = await startHeraldProcess({ databaseUrl: `sqlite:${join(dir, 'herald.db')}`, adminToken: ADMIN, startTimeoutMs: 60_000 });
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'big', name: 'Big' })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await killHeraldProcesses();
  await receiver?.close();
  if (dir) removeDir(dir);
});

describe('a receiver answering 200 MB', () => {
  it('fails the verification handshake quickly and leaves RSS bounded', async () => {
    const before = rssBytes(herald.child.pid!);
    const started = Date.now();
    const created = await herald.api('POST', '/api/v1/tenants/big/endpoints', { url: `${receiver.url}/verify`, eventTypes: ['*'], verifyToken: 'vt-huge-answer' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe('verification_failed');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(rssBytes(herald.child.pid!) - before).toBeLessThan(RSS_GROWTH_BOUND);
    // The receiver was cut off long before it could send everything.
    expect(bytesWritten).toBeLessThan(ANSWER_BYTES / 2);
  });

  it('keeps a test delivery to at most 2,000 characters of it, quickly and with RSS bounded', async () => {
    const endpoint = await herald.api('POST', '/api/v1/tenants/big/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['*'] });
    expect(endpoint.status).toBe(201);
    const before = rssBytes(herald.child.pid!);
    bytesWritten = 0;
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const sent = await herald.api('POST', `/api/v1/tenants/big/endpoints/${endpoint.body.id}/test`, {});
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      expect(sent.body.statusCode).toBe(200);
      expect(sent.body.responseBody.length).toBeLessThanOrEqual(2000);
      expect(sent.body.responseBody).toMatch(/^a+$/);
    }
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(rssBytes(herald.child.pid!) - before).toBeLessThan(RSS_GROWTH_BOUND);
    expect(bytesWritten).toBeLessThan(3 * (ANSWER_BYTES / 2));
  });
});
