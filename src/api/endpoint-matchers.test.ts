import { describe, expect, it } from 'vitest';
import type { EndpointMatcher } from '../store/store.js';
import { EndpointMatchers, matching, type MatcherSource } from './endpoint-matchers.js';

/**
 * An in-memory stand-in for the store's two calls, whose reads can be held open so a test
 * decides when a load answers relative to a change. The cache's behaviour against the real
 * stores, across processes, is in test/process/matcher-cache.test.ts.
 */
class HeldSource implements MatcherSource {
  rows = new Map<string, EndpointMatcher[]>();
  reads: string[] = [];
  hold = false;
  #held: Array<() => void> = [];
  #listeners = new Set<(tenantId: string | null) => void>();

  endpoints = {
    listMatchers: (tenantId: string): Promise<EndpointMatcher[]> => {
      this.reads.push(tenantId);
      // The read sees the rows as they are when it runs, like a query would.
      const snapshot = [...(this.rows.get(tenantId) ?? [])];
      if (!this.hold) return Promise.resolve(snapshot);
      return new Promise((resolve) => this.#held.push(() => resolve(snapshot)));
    },
  };

  onEndpointsChanged(listener: (tenantId: string | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  change(tenantId: string | null, matchers?: EndpointMatcher[]): void {
    if (tenantId !== null && matchers) this.rows.set(tenantId, matchers);
    for (const listener of this.#listeners) listener(tenantId);
  }

  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

const ep = (id: string, eventTypes = ['*'], filter: EndpointMatcher['filter'] = null): EndpointMatcher => ({ id, eventTypes, filter });

describe('EndpointMatchers', () => {
  it('reads a tenant once, then answers from memory until that tenant changes', async () => {
    const source = new HeldSource();
    source.rows.set('acme', [ep('ep_1')]);
    source.rows.set('other', [ep('ep_9')]);
    const cache = new EndpointMatchers(source);
    expect(await cache.get('acme')).toEqual([ep('ep_1')]);
    expect(await cache.get('acme')).toEqual([ep('ep_1')]);
    expect(await cache.get('other')).toEqual([ep('ep_9')]);
    expect(source.reads).toEqual(['acme', 'other']);

    source.change('acme', [ep('ep_1'), ep('ep_2')]);
    expect(await cache.get('acme')).toEqual([ep('ep_1'), ep('ep_2')]);
    expect(await cache.get('other')).toEqual([ep('ep_9')]);
    expect(source.reads).toEqual(['acme', 'other', 'acme']);

    source.change(null);
    await cache.get('other');
    expect(source.reads).toEqual(['acme', 'other', 'acme', 'other']);
  });

  it('never keeps the answer of a load that was in flight when a change arrived', async () => {
    const source = new HeldSource();
    source.rows.set('acme', [ep('ep_old')]);
    const cache = new EndpointMatchers(source);
    source.hold = true;
    const inFlight = cache.get('acme'); // reads the old rows, answers later
    source.change('acme', [ep('ep_new')]);
    source.release();
    expect(await inFlight).toEqual([ep('ep_old')]);
    source.hold = false;
    expect(await cache.get('acme')).toEqual([ep('ep_new')]);
    expect(await cache.get('acme')).toEqual([ep('ep_new')]);
  });

  it('shares one read among concurrent first uses', async () => {
    const source = new HeldSource();
    source.rows.set('acme', [ep('ep_1')]);
    source.hold = true;
    const cache = new EndpointMatchers(source);
    const answers = Promise.all([cache.get('acme'), cache.get('acme'), cache.get('acme')]);
    source.release();
    expect(await answers).toEqual([[ep('ep_1')], [ep('ep_1')], [ep('ep_1')]]);
    expect(source.reads).toEqual(['acme']);
  });

  it('keeps at most its bound of tenants, dropping the least recently used', async () => {
    const source = new HeldSource();
    const cache = new EndpointMatchers(source, { tenants: 3, jsonChars: 1_000_000 });
    for (const tenant of ['a', 'b', 'c']) await cache.get(tenant);
    await cache.get('a'); // a is now the most recent
    await cache.get('d'); // b goes
    expect(cache.usage.tenants).toBe(3);
    source.reads = [];
    for (const tenant of ['a', 'c', 'd']) await cache.get(tenant);
    expect(source.reads).toEqual([]);
    await cache.get('b');
    expect(source.reads).toEqual(['b']);
  });

  it('keeps at most its bound of list size, whatever the number of tenants', async () => {
    const source = new HeldSource();
    const big = Array.from({ length: 50 }, (_, i) => ep(`ep_${i}`, ['chat.message', 'order.*'], { 'data.channel': 'whatsapp' }));
    const bigChars = JSON.stringify(big).length;
    for (const tenant of ['a', 'b', 'c']) source.rows.set(tenant, big);
    const cache = new EndpointMatchers(source, { tenants: 100, jsonChars: bigChars * 2 + 10 });
    for (const tenant of ['a', 'b', 'c']) await cache.get(tenant);
    await Promise.resolve();
    expect(cache.usage).toEqual({ tenants: 2, jsonChars: bigChars * 2 });
    source.reads = [];
    await cache.get('c');
    await cache.get('b');
    expect(source.reads).toEqual([]);
    await cache.get('a');
    expect(source.reads).toEqual(['a']);

    // A list larger than the whole bound is still used, and kept alone.
    const tiny = new EndpointMatchers(source, { tenants: 100, jsonChars: 10 });
    expect(await tiny.get('a')).toHaveLength(50);
    await tiny.get('b');
    await Promise.resolve();
    expect(tiny.usage.tenants).toBe(1);
    cache.forget(null);
    expect(cache.usage).toEqual({ tenants: 0, jsonChars: 0 });
  });

  it('forgets a failed read so the next publish tries again, and stops listening when closed', async () => {
    const source = new HeldSource();
    let fail = true;
    const read = source.endpoints.listMatchers;
    source.endpoints.listMatchers = (tenantId) => (fail ? Promise.reject(new Error('database away')) : read(tenantId));
    const cache = new EndpointMatchers(source);
    await expect(cache.get('acme')).rejects.toThrow('database away');
    fail = false;
    expect(await cache.get('acme')).toEqual([]);
    expect(source.listeners).toBe(1);
    cache.close();
    expect(source.listeners).toBe(0);
  });
});

describe('matching', () => {
  it('keeps the endpoints whose subscription and filter accept the envelope, in list order', () => {
    const matchers = [
      ep('ep_all'),
      ep('ep_chat', ['chat.*']),
      ep('ep_exact', ['order.created']),
      ep('ep_whatsapp', ['chat.message'], { 'data.channel': { $in: ['whatsapp'] } }),
    ];
    const envelope = (channel: string) => ({ id: 'evt_1', type: 'chat.message', created_at: '2026-01-01T00:00:00.000Z', data: { channel } });
    expect(matching(matchers, 'chat.message', envelope('whatsapp'))).toEqual(['ep_all', 'ep_chat', 'ep_whatsapp']);
    expect(matching(matchers, 'chat.message', envelope('sms'))).toEqual(['ep_all', 'ep_chat']);
    expect(matching(matchers, 'order.created', { data: {} })).toEqual(['ep_all', 'ep_exact']);
  });
});
