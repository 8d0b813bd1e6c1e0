import { describe, expect, it } from 'vitest';
import { IdGenerator } from './ids.js';

describe('IdGenerator', () => {
  it('makes prefixed ids that sort in creation order within one millisecond', () => {
    const generator = new IdGenerator(() => 1_780_000_000_000);
    const made = Array.from({ length: 1000 }, () => generator.next('evt'));
    expect(made[0]).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it('encodes the time and an 80-bit counter in Crockford base32, most significant first', () => {
    const decode = (text: string) => [...text].reduce((value, char) => value * 32n + BigInt('0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(char)), 0n);
    const generator = new IdGenerator(() => 1_780_000_000_123);
    const made = Array.from({ length: 5000 }, () => generator.next('dlv').slice('dlv_'.length));
    expect(made.every((id) => decode(id.slice(0, 10)) === 1_780_000_000_123n)).toBe(true);
    // Within one millisecond each id is the one before plus one, across every carry.
    const counters = made.map((id) => decode(id.slice(10)));
    expect(counters.every((counter, i) => i === 0 || counter === counters[i - 1]! + 1n)).toBe(true);
    expect(counters[0]! < 2n ** 79n).toBe(true);
  });

  it('keeps order when the clock steps back', () => {
    let now = 2_000_000;
    const generator = new IdGenerator(() => now);
    const first = generator.next('evt');
    now -= 1000;
    expect(generator.next('evt') > first).toBe(true);
  });
});
