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

  it('keeps order when the clock steps back', () => {
    let now = 2_000_000;
    const generator = new IdGenerator(() => now);
    const first = generator.next('evt');
    now -= 1000;
    expect(generator.next('evt') > first).toBe(true);
  });
});
