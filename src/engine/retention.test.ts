import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdGenerator } from '../domain/ids.js';
import { defaultTenantSettings } from '../domain/tenant.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { RetentionSweeper } from './retention.js';

const DAY_MS = 86_400_000;

describe('RetentionSweeper', () => {
  let dir: string;
  let store: Store;
  const ids = new IdGenerator();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-retention-'));
    store = openSqliteStore(join(dir, 'herald.db'));
    await store.migrate();
    await store.tenants.create({ id: 'acme', name: 'Acme', settings: { ...defaultTenantSettings(), retentionDays: 7 }, createdAt: new Date() });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const publishAt = async (createdAt: Date) =>
    (
      await store.events.publish({
        tenantId: 'acme',
        items: [{ event: { id: ids.next('evt'), tenantId: 'acme', type: 'a', createdAt, data: {}, idempotencyKey: null }, deliveries: [] }],
        maxAttempts: 1,
      })
    ).outcomes[0]!;

  it('prunes on its own shortly after start, in batches, keeping what is within retention', async () => {
    for (let i = 0; i < 5; i++) await publishAt(new Date(Date.now() - 8 * DAY_MS));
    const recent = await publishAt(new Date(Date.now() - 6 * DAY_MS));
    const sweeper = new RetentionSweeper(store, pino({ level: 'silent' }), { batchSize: 2, pauseMs: 1, firstAfterMs: 10, everyMs: 60_000 });
    sweeper.start();
    try {
      await expect.poll(async () => (await store.events.poll('acme', { after: null, limit: 10 })).map((e) => e.id), { timeout: 5000 }).toEqual([recent.event.id]);
    } finally {
      await sweeper.stop();
    }
  });
});
