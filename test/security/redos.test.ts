import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/**
 * Issue 12, item 6: an event type's JSON Schema `pattern` runs over tenant data. With a
 * backtracking engine `^(a+)+$` took 289 ms at 24 characters and doubles with each more;
 * 10,000 characters would never finish. The bounds here are wide: correctness, not speed.
 */

const EVIL = '^(a+)+$';
const PAYLOAD = `${'a'.repeat(10_000)}!`;
let herald: TestHerald;

beforeAll(async () => {
  herald = await startTestHerald();
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'redos', name: 'ReDoS' })).status).toBe(201);
  const created = await herald.api('POST', '/api/v1/event-types', {
    name: 'redos.pattern',
    schema: {
      type: 'object',
      properties: { text: { type: 'string', pattern: EVIL } },
      patternProperties: { '^(x+x+)+y$': { type: 'string' } },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});

afterAll(async () => {
  await herald?.stop().catch(() => {});
  if (herald) removeDir(herald.dir);
});

describe('JSON Schema patterns over tenant data', () => {
  it('answers `^(a+)+$` against 10,000 characters at once, with the right verdicts', async () => {
    const started = Date.now();
    const refused = await herald.api('POST', '/api/v1/tenants/redos/events', { type: 'redos.pattern', data: { text: PAYLOAD } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('schema_mismatch');
    expect(refused.body.error.details[0].path).toBe('/data/text');
    const accepted = await herald.api('POST', '/api/v1/tenants/redos/events', { type: 'redos.pattern', data: { text: 'a'.repeat(10_000) } });
    expect(accepted.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs patternProperties without backtracking too', async () => {
    const started = Date.now();
    const answer = await herald.api('POST', '/api/v1/tenants/redos/events', { type: 'redos.pattern', data: { [`${'x'.repeat(5_000)}`]: 1 } });
    expect(answer.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses, when saved, a pattern only a backtracking engine can run', async () => {
    const refused = await herald.api('POST', '/api/v1/event-types', { name: 'redos.backref', schema: { type: 'string', pattern: '^(a)\\1$' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details[0].path).toBe('/schema');
  });
});
