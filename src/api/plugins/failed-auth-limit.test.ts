import { describe, expect, it } from 'vitest';
import { FailedAuthLimit } from './failed-auth-limit.js';

describe('FailedAuthLimit', () => {
  const setup = () => {
    let now = 0;
    const limit = new FailedAuthLimit(50, 60_000, 60_000, () => now);
    return { limit, advance: (ms: number) => (now += ms) };
  };

  it('blocks an address at its 50th failure within 60 s, for 60 s', () => {
    const { limit, advance } = setup();
    for (let i = 0; i < 49; i++) limit.fail('203.0.113.1');
    expect(limit.blocked('203.0.113.1')).toBe(0);
    limit.fail('203.0.113.1');
    expect(limit.blocked('203.0.113.1')).toBe(60_000);
    expect(limit.blocked('203.0.113.2')).toBe(0);
    advance(59_999);
    expect(limit.blocked('203.0.113.1')).toBe(1);
    advance(1);
    expect(limit.blocked('203.0.113.1')).toBe(0);
  });

  it('counts over a sliding window, not a fixed one', () => {
    const { limit, advance } = setup();
    // 50 failures spanning exactly 60 s: not 50 within the window.
    limit.fail('203.0.113.1');
    advance(30_000);
    for (let i = 0; i < 48; i++) limit.fail('203.0.113.1');
    advance(30_000);
    limit.fail('203.0.113.1');
    expect(limit.blocked('203.0.113.1')).toBe(0);

    // 25 just before a minute boundary and 25 just after: 50 within 2 s, blocked.
    advance(59_000);
    for (let i = 0; i < 25; i++) limit.fail('198.51.100.1');
    advance(2_000);
    for (let i = 0; i < 25; i++) limit.fail('198.51.100.1');
    expect(limit.blocked('198.51.100.1')).toBe(60_000);
  });
});
