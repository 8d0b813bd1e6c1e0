import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/herald.js';
import { defaultTenantSettings } from '../../domain/tenant.js';
import { ids } from '../../domain/ids.js';
import type { Store } from '../store.js';
import { openSqliteStore } from './sqlite-store.js';

const publishMany = async (store: Store, tenantId: string, endpointId: string, events: number) => {
  for (let done = 0; done < events; done += 100) {
    const items = Array.from({ length: 100 }, () => ({
      event: { id: ids.next('evt'), tenantId, type: 'order.created', createdAt: new Date(), data: { order: 'x'.repeat(400) }, idempotencyKey: null, traceContext: null },
      deliveries: [{ id: ids.next('dlv'), endpointId }],
    }));
    await store.events.publish({ tenantId, items, maxAttempts: 3 });
  }
};

describe('SQLite checkpoints', () => {
  it('copies committed pages into the database file from its own thread, and keeps the WAL bounded', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-checkpoint-')), 'herald.db');
    const store = openSqliteStore(path);
    await store.migrate();
    const tenantId = ids.next('ten');
    await store.tenants.create({ id: tenantId, name: 'checkpoints', settings: defaultTenantSettings(), createdAt: new Date() });
    const endpoint = await store.endpoints.create(
      { id: ids.next('ep'), tenantId, url: 'https://receiver.example/hook', description: '', eventTypes: ['*'], filter: null, status: 'active', headers: {}, rateLimitPerSecond: null, signature: null, createdAt: new Date() },
      { secret: 'sealed', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = statSync(path).size;
    // Far under any connection's own checkpoint limit (SQLite's default is 1,000 pages): only
    // the thread copies these pages into the database file.
    await publishMany(store, tenantId, endpoint.id, 300);
    await eventually(async () => statSync(path).size > settled + 100 * 1024, 5000);

    // Past the main connection's limit, whose checkpoint lets the WAL start over: many times the
    // limit's pages were written, and the WAL file stays near the limit (4,096 pages, 8 MiB).
    await publishMany(store, tenantId, endpoint.id, 12_000);
    expect(statSync(`${path}-wal`).size).toBeLessThan(24 * 1024 * 1024);
    expect((await store.queue.gauges()).deliveries.pending).toBe(12_300);
    const observer = new BetterSqlite3(path, { readonly: true });
    try {
      expect(observer.prepare('select count(*) as n from events').get()).toEqual({ n: 12_300 });
    } finally {
      observer.close();
      await store.close();
    }
  });
});
