import { describe, expect, it } from 'vitest';
import { EndpointSlots } from './endpoint-slots.js';

/** Takes a slot and notes the order in which waiting takers were let go (or dropped). */
function taker(slots: EndpointSlots, started: string[]) {
  return (name: string, endpointId = 'ep_a', cap = 2, tenantId = 'acme') => {
    const slot = slots.take(endpointId, tenantId, cap);
    if (slot === true) started.push(name);
    else void slot.then((go) => started.push(go ? name : `${name} dropped`));
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EndpointSlots', () => {
  it('lets the cap go at once and the rest in order, one as each request ends', async () => {
    const slots = new EndpointSlots();
    const started: string[] = [];
    const take = taker(slots, started);
    for (const name of ['a', 'b', 'c', 'd']) take(name);
    take('other', 'ep_b');
    await settle();
    expect(started).toEqual(['a', 'b', 'other']);
    slots.release('ep_a');
    await settle();
    expect(started).toEqual(['a', 'b', 'other', 'c']);
    slots.release('ep_a');
    await settle();
    expect(started).toEqual(['a', 'b', 'other', 'c', 'd']);
    // Busy while any of its requests is in flight, not after the last one ends.
    slots.release('ep_a');
    expect(slots.busy('ep_a')).toBe(true);
    slots.release('ep_a');
    expect([slots.busy('ep_a'), slots.busy('ep_b')]).toEqual([false, true]);
  });

  it('follows the latest cap: a lowered one lets nothing new go until the endpoint is under it', async () => {
    const slots = new EndpointSlots();
    const started: string[] = [];
    const take = taker(slots, started);
    take('a', 'ep_a', 3);
    take('b', 'ep_a', 3);
    take('c', 'ep_a', 3);
    take('d', 'ep_a', 1);
    slots.release('ep_a');
    slots.release('ep_a');
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    slots.release('ep_a');
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drops whatever waits when the engine stops', async () => {
    const slots = new EndpointSlots();
    const started: string[] = [];
    const take = taker(slots, started);
    for (const name of ['a', 'b', 'c']) take(name);
    slots.dropWaiting();
    await settle();
    expect(started).toEqual(['a', 'b', 'c dropped']);
  });

  it('drops only what waits for the endpoints chosen, by endpoint or by tenant', async () => {
    const slots = new EndpointSlots();
    const started: string[] = [];
    const take = taker(slots, started);
    for (const name of ['a1', 'a2', 'a3']) take(name, 'ep_a', 2, 'acme');
    for (const name of ['b1', 'b2', 'b3']) take(name, 'ep_b', 2, 'globex');
    slots.dropWaiting((_, tenantId) => tenantId === 'globex');
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2', 'b3 dropped']);
    slots.release('ep_a');
    await settle();
    expect(started).toEqual(['a1', 'a2', 'b1', 'b2', 'b3 dropped', 'a3']);
  });
});
