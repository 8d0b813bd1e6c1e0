import { describe, expect, it } from 'vitest';
import { chunks, parseNdjsonEvents } from './ndjson-events.js';

describe('parseNdjsonEvents', () => {
  it('reads one event per line, skipping blank lines, keeping line numbers', () => {
    const text = '{"type":"a.b","data":{"n":1}}\n\n  \n{"type":"a.b","data":null,"idempotencyKey":"k"}\r\n';
    expect(parseNdjsonEvents(text, 'f')).toEqual([
      { type: 'a.b', data: { n: 1 }, line: 1 },
      { type: 'a.b', data: null, idempotencyKey: 'k', line: 4 },
    ]);
  });

  it.each([
    ['{"type":"a.b","data":', /^f line 2 is not JSON/],
    ['[1,2]', /^f line 2: expected an object/],
    ['"text"', /^f line 2: expected an object/],
    ['{"data":{}}', /^f line 2: "type" must be/],
    ['{"type":"","data":{}}', /^f line 2: "type" must be/],
    ['{"type":"a.b"}', /^f line 2: "data" is missing/],
    ['{"type":"a.b","data":{},"idempotencyKey":7}', /^f line 2: "idempotencyKey" must be/],
    ['{"type":"a.b","data":{},"idempotencyKey":""}', /^f line 2: "idempotencyKey" must be/],
    ['{"type":"a.b","data":{},"when":"now"}', /^f line 2: unknown field when/],
  ])('names the bad line %s', (bad, message) => {
    expect(() => parseNdjsonEvents(`{"type":"a.b","data":{}}\n${bad}\n{"type":"a.b","data":{}}`, 'f')).toThrow(message);
  });

  it('refuses a file without events', () => {
    expect(() => parseNdjsonEvents('\n\n', 'f')).toThrow(/f has no events/);
  });
});

describe('chunks', () => {
  it('splits into consecutive runs of at most the size, in order', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([1, 2], 1000)).toEqual([[1, 2]]);
  });
});
