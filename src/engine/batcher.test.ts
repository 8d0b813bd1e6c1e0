import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

/** A batcher that answers each item doubled and remembers the batches it flushed. */
function doubling(options: ConstructorParameters<typeof Batcher<number, number>>[1] = {}) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, number>(async (items) => {
    batches.push(items);
    return items.map((item) => item * 2);
  }, options);
  return { batcher, batches };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Batcher', () => {
  it('flushes a lone item at once and a burst added during a flush as one batch', async () => {
    const { batcher, batches } = doubling();
    const answers = await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(answers).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('with gatherWhile, waits for the items it expects and flushes them together', async () => {
    let expected = 3;
    const { batcher, batches } = doubling({ gatherWhile: (waiting) => waiting < expected, gatherAtMostMs: 5_000 });
    const first = batcher.add(1);
    await later(20);
    const second = batcher.add(2);
    await later(20);
    expect(batches).toEqual([]);
    const third = batcher.add(3);
    expect(await Promise.all([first, second, third])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    expected = 0;
    expect(await batcher.add(4)).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('with gatherWhile, flushes what it has once gatherAtMostMs has passed', async () => {
    const { batcher, batches } = doubling({ gatherWhile: () => true, gatherAtMostMs: 30 });
    const started = performance.now();
    expect(await batcher.add(1)).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(batches).toEqual([[1]]);
  });

  it('stops gathering as soon as an item added with flushNow arrives', async () => {
    const { batcher, batches } = doubling({ gatherWhile: () => true, gatherAtMostMs: 5_000 });
    const first = batcher.add(1);
    await later(20);
    await Promise.all([first, batcher.add(99, { flushNow: true })]);
    expect(batches).toEqual([[1, 99]]);
    // The next flush gathers again.
    const started = performance.now();
    const third = batcher.add(3);
    await later(20);
    expect(batches).toHaveLength(1);
    await Promise.all([third, batcher.add(4, { flushNow: true })]);
    expect(batches).toEqual([[1, 99], [3, 4]]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
