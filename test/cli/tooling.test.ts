import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { runCli } from './cli-support.js';

let herald: TestHerald;
let receiver: Receiver;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start((request, res) => void res.writeHead(request.url === '/bad' ? 500 : 200).end());
  env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN };
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'chat.message', description: 'A message', example: { text: 'hello from the catalog' } })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'globex', name: 'Globex', settings: { envelope: 'camel' } })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${receiver.url}/good`, eventTypes: ['chat.*'] })).status).toBe(201);
  const bad = await herald.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${receiver.url}/bad`, eventTypes: ['*'] });
  expect(bad.status).toBe(201);
  expect((await herald.api('PATCH', '/api/v1/tenants/acme', { settings: { retrySchedule: [0] } })).status).toBe(200);
});
afterAll(async () => {
  await receiver?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
  removeDir(dir);
});

describe('herald trigger', () => {
  it('publishes the catalog example (env connection), then given data from a file (--json)', async () => {
    const run = await runCli(['trigger', 'chat.message', '--tenant', 'acme'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = /published (evt_\S+) \(chat\.message\) to tenant acme/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    const polled = await herald.api('GET', '/api/v1/tenants/acme/events');
    expect(polled.body.data.find((e: { id: string }) => e.id === id).data).toEqual({ text: 'hello from the catalog' });

    const file = join(dir, 'data.json');
    writeFileSync(file, JSON.stringify({ text: 'from a file' }));
    const json = await runCli(['trigger', 'chat.message', '--tenant', 'acme', '--data', file, '--json', '--url', herald.url, '--token', ADMIN_TOKEN]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'chat.message', data: { text: 'from a file' } });
    await receiver.waitFor(4);
  });

  it('reports errors in one line with exit code 1', async () => {
    const unknown = await runCli(['trigger', 'nope.never', '--tenant', 'acme'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^herald: looking up event type nope\.never failed: 404 not_found/);
    const noToken = await runCli(['tenants'], { HERALD_URL: herald.url });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/no token/);
    const badToken = await runCli(['tenants', '--token', 'wrong'], { HERALD_URL: herald.url });
    expect(badToken.stderr).toMatch(/401 unauthorized/);
    const down = await runCli(['tenants', '--url', 'http://127.0.0.1:1', '--token', 'x']);
    expect(down.stderr).toMatch(/cannot reach Herald/);
  });
});

describe('list commands', () => {
  it('herald tenants: a table, or JSON with --json; connection from a config file', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ url: herald.url, token: ADMIN_TOKEN }));
    const run = await runCli(['tenants'], { HERALD_CONFIG: config });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ENVELOPE\s+SIGNATURE\s+CREATED$/);
    expect(lines.some((l) => /^acme\s+Acme Corp\s+snake\s+standard-webhooks\s+\d{4}-/.test(l))).toBe(true);
    expect(lines.some((l) => /^globex\s+Globex\s+camel/.test(l))).toBe(true);
    const json = await runCli(['tenants', '--json'], { HERALD_CONFIG: config });
    expect(JSON.parse(json.stdout).data.map((t: { id: string }) => t.id).sort()).toEqual(['acme', 'globex']);
  });

  it('herald endpoints --tenant', async () => {
    const run = await runCli(['endpoints', '--tenant', 'acme'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+STATUS\s+FAILURES\s+EVENTS\s+URL/);
    expect(run.stdout).toMatch(/ep_\S+\s+active\s+\d+\s+chat\.\*\s+http:\/\/127\.0\.0\.1:\d+\/good/);
    const json = JSON.parse((await runCli(['endpoints', '--tenant', 'acme', '--json'], env)).stdout);
    expect(json.data).toHaveLength(2);
    expect((await runCli(['endpoints'], env)).stderr).toMatch(/no tenant/);
  });

  it('herald deliveries --tenant [--outcome failed]', async () => {
    await eventually(async () => {
      const page = await herald.api('GET', '/api/v1/tenants/acme/deliveries?outcome=failed');
      return page.body.data.length >= 2;
    });
    const all = JSON.parse((await runCli(['deliveries', '--tenant', 'acme', '--json'], env)).stdout);
    expect(all.data.length).toBe(4);
    const failed = await runCli(['deliveries', '--tenant', 'acme', '--outcome', 'failed'], env);
    expect(failed.code).toBe(0);
    const rows = failed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+STATUS\s+ATTEMPTS\s+EVENT TYPE\s+EVENT\s+ENDPOINT\s+LAST ATTEMPT$/);
    expect(rows.slice(1)).toHaveLength(2);
    for (const row of rows.slice(1)) expect(row).toMatch(/^dlv_\S+\s+(dead|failed)\s+1\/1\s+chat\.message\s+evt_/);
    const paged = await runCli(['deliveries', '--tenant', 'acme', '--limit', '1'], env);
    expect(paged.stdout).toMatch(/\(more: --cursor \S+\)/);
    expect((await runCli(['deliveries', '--tenant', 'acme', '--outcome', 'weird'], env)).code).not.toBe(0);
  });

  it('every command has --help', async () => {
    for (const command of ['listen', 'trigger', 'tenants', 'endpoints', 'deliveries']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: herald ${command}`));
    }
    expect((await runCli(['--help'])).stdout).toMatch(/listen[\s\S]*trigger[\s\S]*tenants[\s\S]*endpoints[\s\S]*deliveries/);
  });
});

// Each case starts the CLI as a process: on a loaded 2-core machine that takes seconds.
describe('herald trigger --file', { timeout: 120_000 }, () => {
  // globex has no endpoints: these publishes change nothing the other tests count.
  const pollAll = async (): Promise<Array<{ id: string; type: string; data: any }>> => {
    const events: Array<{ id: string; type: string; data: any }> = [];
    let after: string | null = null;
    for (;;) {
      const page: { body: { data: Array<{ id: string; type: string; data: any }>; hasMore: boolean; cursor: string } } = await herald.api('GET', `/api/v1/tenants/globex/events?limit=250${after ? `&after=${after}` : ''}`);
      events.push(...page.body.data);
      if (!page.body.hasMore) return events;
      after = page.body.cursor;
    }
  };
  const write = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const line = (n: number, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'chat.message', data: { n }, ...extra });

  it('publishes every line, in order, in batches of up to 1,000', async () => {
    const before = (await pollAll()).length;
    const lines = Array.from({ length: 2500 }, (_, n) => line(n));
    lines.splice(10, 0, '', '   '); // blank lines are skipped
    const run = await runCli(['trigger', '--file', write('many.ndjson', lines), '--tenant', 'globex'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^published 2500 events from \S+many\.ndjson to tenant globex\n$/);
    const events = (await pollAll()).slice(before);
    expect(events.map((e) => e.data.n)).toEqual(Array.from({ length: 2500 }, (_, n) => n));
  });

  it('prints the envelopes with --json, each repeated key answering its first event; reads stdin with -', async () => {
    const input = [line(1, { idempotencyKey: 'cli-k' }), line(2, { idempotencyKey: 'cli-k' })].join('\n');
    const run = await runCli(['trigger', '--file', '-', '--tenant', 'globex', '--json'], env, input);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'chat.message', createdAt: expect.any(String), data: { n: 1 } });
    expect(printed[1]).toEqual(printed[0]);
  });

  it('names a bad line and sends nothing when any line is bad', async () => {
    const before = (await pollAll()).length;
    const cases: Array<[string, RegExp]> = [
      ['{"type":"chat.message","data":{}', /line 3 is not JSON/],
      ['{"type":"chat.message"}', /line 3: "data" is missing/],
      ['{"type":"chat.message","data":{},"priority":1}', /line 3: unknown field priority/],
    ];
    for (const [bad, message] of cases) {
      const lines = [line(1), line(2), bad, ...Array.from({ length: 1500 }, (_, n) => line(n))];
      const run = await runCli(['trigger', '--file', write('bad.ndjson', lines), '--tenant', 'globex'], env);
      expect(run.code, bad).toBe(1);
      expect(run.stderr).toMatch(/^herald: \S+bad\.ndjson /);
      expect(run.stderr).toMatch(message);
    }
    expect((await pollAll()).length).toBe(before);
  });

  it('names the line the server refused, and says what earlier batches published', async () => {
    const before = (await pollAll()).length;
    const unknownType = await runCli(['trigger', '--file', write('unknown.ndjson', [line(1), JSON.stringify({ type: 'chat.nope', data: {} })]), '--tenant', 'globex'], env);
    expect(unknownType.code).toBe(1);
    expect(unknownType.stderr).toMatch(/unknown\.ndjson line 2: 422 validation_failed: .*chat\.nope.*\(nothing was published\)/);
    expect((await pollAll()).length).toBe(before);

    const late = [...Array.from({ length: 1000 }, (_, n) => line(n)), line(1000), JSON.stringify({ type: 'chat.nope', data: {} })];
    const partial = await runCli(['trigger', '--file', write('late.ndjson', late), '--tenant', 'globex'], env);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/late\.ndjson line 1002: 422 validation_failed.*\(1000 events from earlier lines were published\)/);
    expect((await pollAll()).length).toBe(before + 1000);
  });

  it('refuses an event type together with --file, and neither', async () => {
    const file = write('one.ndjson', [line(1)]);
    expect((await runCli(['trigger', 'chat.message', '--file', file, '--tenant', 'globex'], env)).stderr).toMatch(/give no event type/);
    expect((await runCli(['trigger', '--tenant', 'globex'], env)).stderr).toMatch(/name an event type/);
    expect((await runCli(['trigger', '--file', write('empty.ndjson', ['']), '--tenant', 'globex'], env)).stderr).toMatch(/has no events/);
  });
});
