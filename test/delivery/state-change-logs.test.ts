import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startHerald, type Herald } from '../../src/main.js';
import { eventually, removeDir } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/**
 * Issue 13: structured logs. One `debug` line per attempt and one `info`/`warn` line per state
 * change (failing, disabled, exhausted, enabled, recovered), carrying ids; no line ever holds
 * a secret or a header value, though the endpoint sends a sensitive custom header.
 */
const TOKEN = 'logs-admin-token';
const HEADER_VALUE = 'Bearer hdr-value-never-logged';
const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];
let herald: Herald | null = null;
let receiver: Receiver | null = null;
const dir = mkdtempSync(join(tmpdir(), 'herald-logs-'));

afterAll(async () => {
  await herald?.close();
  await receiver?.close();
  removeDir(dir);
});

it('logs each attempt at debug and each state change at info or warn, with ids and no secrets', async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const config = loadConfig({ dev: true, port: 0, adminToken: TOKEN, databaseUrl: `sqlite:${join(dir, 'herald.db')}` }, {});
  herald = await startHerald(config, pino({ level: 'debug' }, sink));
  let healthy = false;
  receiver = await Receiver.start((_request, res) => void res.writeHead(healthy ? 200 : 500).end());
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${herald!.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json() as Promise<any>;
  };

  await api('PATCH', '/operator/settings', { failingAfter: 2 });
  await api('POST', '/event-types', { name: 'log.tick' });
  await api('POST', '/tenants', { id: 'logs', name: 'Logs', settings: { retrySchedule: [0, 0], autoDisableAfterFailures: 3 } });
  const endpoint = await api('POST', '/tenants/logs/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['*'], headers: { Authorization: HEADER_VALUE } });
  await api('POST', '/tenants/logs/events', { type: 'log.tick', data: {} });
  await api('POST', '/tenants/logs/events', { type: 'log.tick', data: {} });
  const named = (msg: string) => lines.filter((line) => line.msg === msg);
  await eventually(async () => named('engine:endpoint:disabled').length === 1 && named('engine:delivery:exhausted').length >= 1);
  healthy = true;
  await api('POST', `/tenants/logs/endpoints/${endpoint.id}/enable`);
  // Whether a delivery was left to retry depends on how the attempts interleaved: a new event
  // makes sure the first success after the streak comes.
  await api('POST', '/tenants/logs/events', { type: 'log.tick', data: {} });
  await eventually(async () => named('engine:endpoint:recovered').length === 1);

  const ids = { tenantId: 'logs', endpointId: endpoint.id };
  const attempts = named('engine:attempt');
  expect(attempts.length).toBeGreaterThanOrEqual(4);
  for (const line of attempts) expect(line).toMatchObject({ level: 20, ...ids, deliveryId: expect.stringMatching(/^dlv_/), attempt: expect.any(Number), durationMs: expect.any(Number) });
  expect(named('engine:endpoint:failing')).toEqual([expect.objectContaining({ level: 40, ...ids, consecutiveFailures: 2 })]);
  expect(named('engine:endpoint:disabled')).toEqual([expect.objectContaining({ level: 40, ...ids })]);
  expect(named('engine:delivery:exhausted')[0]).toMatchObject({ level: 40, ...ids, deliveryId: expect.stringMatching(/^dlv_/), attempts: 2 });
  expect(named('endpoint:enabled')).toEqual([expect.objectContaining({ level: 30, ...ids })]);
  expect(named('engine:endpoint:recovered')).toEqual([expect.objectContaining({ level: 30, ...ids })]);
  for (const line of raw) {
    expect(line).not.toContain('hdr-value-never-logged');
    expect(line).not.toContain(endpoint.secret);
    expect(line).not.toContain(TOKEN);
  }
});
