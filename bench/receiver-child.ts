/**
 * The bench's webhook receiver, run as a child process so its CPU is not the bench's: a bare
 * node:http server on 127.0.0.1 that records, per request, the event id (the body's `id`),
 * the path and the arrival time, and reports them to the parent over IPC in batches.
 *
 * Paths pick the behaviour, so later scenarios can share one receiver:
 *   /ok (and anything else)  200 "ok"
 *   /hang                    never answers (the socket stays open until stop)
 *   /slow/<ms>               200 "ok" after <ms>
 *   /status/<code>           that status, body "status <code>"
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './lib/clock.js';
import type { Arrival, ChildMessage, ParentMessage } from './lib/receiver-protocol.js';

// Batching keeps IPC cost per request negligible; the timestamps are taken at arrival, so
// the batch delay only postpones when the parent learns of an arrival, not what it measures.
const FLUSH_MS = 10;
const FLUSH_SIZE = 512;

let batch: Arrival[] = [];
let total = 0;
const byPath: Record<string, number> = {};

function send(message: ChildMessage): void {
  process.send?.(message);
}

function flush(): void {
  if (batch.length === 0) return;
  send({ type: 'arrivals', arrivals: batch });
  batch = [];
}

function idOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

function respond(path: string, res: ServerResponse): void {
  if (path === '/hang') return;
  const slow = /^\/slow\/(\d+)/.exec(path);
  if (slow) {
    setTimeout(() => res.writeHead(200).end('ok'), Number(slow[1]));
    return;
  }
  const status = /^\/status\/(\d{3})/.exec(path);
  if (status) {
    res.writeHead(Number(status[1])).end(`status ${status[1]}`);
    return;
  }
  res.writeHead(200).end('ok');
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = now();
    const path = req.url ?? '/';
    total += 1;
    byPath[path] = (byPath[path] ?? 0) + 1;
    batch.push([idOf(Buffer.concat(chunks)), path, at]);
    if (batch.length >= FLUSH_SIZE) flush();
    respond(path, res);
  });
});
// Longer than any client's idle timeout, so the server never closes a kept-alive socket
// under a client that is about to reuse it.
server.keepAliveTimeout = 120_000;

const flusher = setInterval(flush, FLUSH_MS);

function stop(): void {
  clearInterval(flusher);
  flush();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stats') {
    flush();
    const cpu = process.cpuUsage();
    send({ type: 'stats', total, byPath: { ...byPath }, cpuMicros: cpu.user + cpu.system });
  } else if (message.type === 'stop') {
    stop();
  }
});
// The parent died or closed the channel: nobody is listening any more.
process.on('disconnect', stop);

server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
});
