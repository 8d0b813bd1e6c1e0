import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/api/catalog-cache.js';
import { defaultTenantSettings } from '../../src/domain/tenant.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/herald-cluster.js';

const T0 = new Date('2026-05-28T12:00:00.000Z');
const eventType = (name: string, description: string) => ({ name, description, schema: null, example: null, deprecated: false, createdAt: T0, updatedAt: T0 });

/** Polls until `check` passes: a change in another process arrives by NOTIFY, a moment later. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (const deadline = Date.now() + 5_000; ; ) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe('CatalogCache', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  const open = async (url: string): Promise<Store> => {
    const store = await openStore(url);
    closers.push(() => store.close());
    await store.migrate();
    return store;
  };

  it('answers tenants and event types from memory until they change, and never caches a miss (SQLite)', async () => {
    const store = await open(`sqlite:${join(mkdtempSync(join(tmpdir(), 'herald-catalog-')), 'herald.db')}`);
    const cache = new CatalogCache(store);
    closers.push(async () => cache.close());

    expect(await cache.tenant('acme')).toBeNull();
    await store.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: T0 });
    expect((await cache.tenant('acme'))?.name).toBe('Acme');

    await store.tenants.update('acme', { name: 'Acme Inc' });
    expect((await cache.tenant('acme'))?.name).toBe('Acme Inc');

    await store.eventTypes.create(eventType('order.paid', 'first'));
    expect((await cache.eventType('order.paid'))?.description).toBe('first');
    await store.eventTypes.update('order.paid', { description: 'second' });
    expect((await cache.eventType('order.paid'))?.description).toBe('second');
    await store.eventTypes.delete('order.paid');
    expect(await cache.eventType('order.paid')).toBeNull();

    await store.tenants.delete('acme');
    expect(await cache.tenant('acme')).toBeNull();
  });

  it("drops what another process changed, through PostgreSQL's NOTIFY, as soon as the store has caught up", async () => {
    const database: TestDatabase = await createTestDatabase();
    closers.push(() => database.drop());
    const [api, other] = [await open(database.url), await open(database.url)];
    const cache = new CatalogCache(api);
    closers.push(async () => cache.close());

    await other.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: T0 });
    await other.eventTypes.create(eventType('order.paid', 'first'));
    expect((await cache.tenant('acme'))?.settings.attemptTimeoutMs).toBe(defaultTenantSettings().attemptTimeoutMs);
    expect((await cache.eventType('order.paid'))?.description).toBe('first');

    await other.tenants.update('acme', { settings: { ...defaultTenantSettings(), attemptTimeoutMs: 1234 } });
    await other.eventTypes.update('order.paid', { description: 'second' });
    // Right after: catching up is one round trip on the listening connection, no waiting.
    await api.catchUpOnChanges();
    expect((await cache.tenant('acme'))?.settings.attemptTimeoutMs).toBe(1234);
    expect((await cache.eventType('order.paid'))?.description).toBe('second');

    await other.tenants.delete('acme');
    await api.catchUpOnChanges();
    expect(await cache.tenant('acme')).toBeNull();
  });
});
