import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runStoreConformance } from '../conformance.js';
import { runOperationalConformance } from '../operational-conformance.js';
import { runHealthConformance } from '../health-conformance.js';
import { defaultTenantSettings } from '../../domain/tenant.js';
import { NEW_FILE_PAGE_SIZE, openSqliteStore } from './sqlite-store.js';
import type { Store } from '../store.js';

// A real file, not :memory:, so WAL and the pragmas are exercised as in production.
const files = new WeakMap<Store, string>();
const openFresh = async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'herald.db');
  const store = openSqliteStore(file);
  files.set(store, file);
  return store;
};
runStoreConformance('SQLite', openFresh, {
  async loseSchedules(store, endpointIds) {
    const db = new BetterSqlite3(files.get(store)!);
    try {
      db.prepare(`update endpoints set next_due_at = null, held = 0 where id in (${endpointIds.map(() => '?').join(', ')})`).run(...endpointIds);
    } finally {
      db.close();
    }
  },
});
runOperationalConformance('SQLite', openFresh);
runHealthConformance('SQLite', openFresh);

describe('SQLite page size', () => {
  it('creates new files with 2 KiB pages and opens an existing file at its own page size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-page-size-'));
    const pageSize = (path: string) => {
      const reader = new BetterSqlite3(path, { readonly: true });
      try {
        return reader.pragma('page_size', { simple: true });
      } finally {
        reader.close();
      }
    };

    const fresh = openSqliteStore(join(dir, 'new.db'));
    await fresh.migrate();
    await fresh.close();
    expect(pageSize(join(dir, 'new.db'))).toBe(NEW_FILE_PAGE_SIZE);

    // A database made elsewhere (an earlier Herald) with SQLite's default 4 KiB pages.
    const older = new BetterSqlite3(join(dir, 'old.db'));
    older.pragma('journal_mode = WAL');
    older.exec('create table kept (n integer)');
    older.close();
    const reopened = openSqliteStore(join(dir, 'old.db'));
    await reopened.migrate();
    await reopened.close();
    expect(pageSize(join(dir, 'old.db'))).toBe(4096);
  });
});

describe('SQLite: deliveries of a large fan-out made after the publish answers', () => {
  const endpointOf = (id: string) => ({
    id,
    tenantId: 'acme',
    url: 'https://example.com/hook',
    description: '',
    eventTypes: ['*'],
    filter: null,
    status: 'active' as const,
    headers: {},
    rateLimitPerSecond: null,
    signature: null,
    createdAt: new Date(0),
  });
  const secrets = { secret: 'sealed', previousSecret: null, previousSecretExpiresAt: null, verifyToken: null };

  it('makes at the next open the parts a stopped process left, and the claim finds them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-fan-out-')), 'herald.db');
    const first = openSqliteStore(path);
    await first.migrate();
    await first.tenants.create({ id: 'acme', name: 'Acme', settings: defaultTenantSettings(), createdAt: new Date(0) });
    const { outcomes } = await first.events.publish({
      tenantId: 'acme',
      items: [{ event: { id: 'evt_1', tenantId: 'acme', type: 'chat.message', createdAt: new Date(1000), data: {}, idempotencyKey: null }, deliveries: [] }],
      maxAttempts: 3,
    });
    for (const id of ['ep_1', 'ep_2']) await first.endpoints.create(endpointOf(id), secrets);
    await first.close();

    // What a process stopped between a publish's commit and its parts' transaction leaves: the
    // event, and its deliveries as a part: a row as publish.ts writes it (its tenant and
    // attempts at the end), and one as it wrote them before rows carried those (the part's).
    const raw = new BetterSqlite3(path);
    const row = (id: string, endpointId: string) => [id, 'evt_1', endpointId, 'chat.message', 1000, 1000, outcomes[0]!.event.sequence];
    const part = [row('dlv_1', 'ep_1'), [...row('dlv_2', 'ep_2'), 'acme', 5]];
    raw.prepare('insert into pending_fan_outs (tenant_id, max_attempts, deliveries) values (?, ?, ?)').run('acme', 3, JSON.stringify(part));
    raw.close();

    const reopened = openSqliteStore(path);
    await reopened.migrate();
    try {
      const listed = await reopened.deliveries.list('acme', {}, { limit: 10 });
      expect(listed.data.map((d) => [d.id, d.endpointId, d.status, d.maxAttempts]).sort()).toEqual([
        ['dlv_1', 'ep_1', 'pending', 3],
        ['dlv_2', 'ep_2', 'pending', 5],
      ]);
      const jobs = await reopened.queue.claim({ now: new Date(2000), limit: 10, maxInFlightPerEndpoint: 16, leaseGraceMs: 0, owner: 'wrk_test' });
      expect(jobs.map((job) => job.delivery.id).sort()).toEqual(['dlv_1', 'dlv_2']);
    } finally {
      await reopened.close();
    }
    const check = new BetterSqlite3(path, { readonly: true });
    expect(check.prepare('select count(*) as n from pending_fan_outs').get()).toEqual({ n: 0 });
    check.close();
  });
});
