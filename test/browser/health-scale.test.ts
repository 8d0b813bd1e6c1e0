import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { defaultTenantSettings } from '../../src/domain/tenant.js';
import { launchChromium } from '../support/browser.js';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/**
 * The operator's Health tab with 10,000 tenants: it reads one page of tenants at a time, so the
 * number of requests it makes does not grow with the number of tenants. (The goal, one
 * aggregate call, needs a store query across tenants that does not exist yet: see the report.)
 */
const TENANTS = 10_000;
let herald: TestHerald;
let browser: Browser;

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
  const createdAt = new Date();
  // Straight into the store: 10,000 API calls would test the API, not the page.
  for (let i = 0; i < TENANTS; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, TENANTS - i) }, (_, j) =>
        herald.store.tenants.create({ id: `t${String(i + j).padStart(5, '0')}`, name: `Tenant ${i + j}`, settings: defaultTenantSettings(), createdAt }),
      ),
    );
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
});

describe('the Health tab with 10,000 tenants', () => {
  it('makes a bounded number of requests per page of tenants, and pages on', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await page.goto(herald.url);
      await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Tenants' }).waitFor();

      const requests: string[] = [];
      const count = (request: Request) => void (request.url().includes('/api/v1/') && requests.push(request.url()));
      page.on('request', count);
      const started = Date.now();
      await page.getByRole('navigation').getByRole('button', { name: 'Health' }).click();
      // No tenant has an endpoint: the page settles on its empty state, with "Load more".
      await page.getByText('No endpoints yet.').waitFor();
      await page.getByRole('button', { name: 'Load more' }).waitFor();
      const loadMs = Date.now() - started;
      // The operator stats, one page of 25 tenants, and two calls for each of them.
      expect(requests.length).toBeLessThanOrEqual(2 + 25 * 2);
      expect(requests.filter((url) => url.includes('/api/v1/tenants?')).length).toBe(1);

      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(() => requests.filter((url) => url.includes('/api/v1/tenants?')).length).toBe(2);
      await expect.poll(() => requests.length).toBeLessThanOrEqual(2 * (2 + 25 * 2));
      page.off('request', count);
      console.log(`health tab, ${TENANTS} tenants: ${requests.length} requests for two pages; first page in ${loadMs} ms`);
    } finally {
      await context.close();
    }
  }, 120_000);
});
