import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { defaultTenantSettings } from '../../src/domain/tenant.js';
import { launchChromium } from '../support/browser.js';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/**
 * The operator's Health tab with 10,000 tenants: each page of tenants is one API request
 * (`/operator/health`, which reads the figures of that page's tenants only), however many
 * tenants there are; a search is one request too. The load time is printed, not asserted.
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
  // One tenant far down the list with a disabled endpoint: the search finds it.
  await herald.api('POST', '/api/v1/tenants/t09876/endpoints', { url: 'http://127.0.0.1:9/hooks/far-away', eventTypes: ['*'] }).then(async (created) => {
    await herald.api('POST', `/api/v1/tenants/t09876/endpoints/${created.body.id}/disable`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
});

describe('the Health tab with 10,000 tenants', () => {
  it('loads each page of tenants, and each search, with one API request', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    try {
      await page.goto(herald.url);
      await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Tenants' }).waitFor();

      const api: string[] = [];
      const others: string[] = [];
      const count = (request: Request) => void (request.url().includes('/api/v1/') ? api : others).push(request.url());
      page.on('request', count);
      const rows = page.getByRole('table', { name: 'Delivery health' }).locator('tbody tr');

      let started = Date.now();
      await page.getByRole('navigation').getByRole('button', { name: 'Health' }).click();
      await rows.nth(24).waitFor();
      const firstPageMs = Date.now() - started;
      expect(api).toEqual([expect.stringMatching(/\/api\/v1\/operator\/health\?limit=25$/)]);
      await page.getByText('Deliveries by outcome, all tenants (24 h)').waitFor();
      await page.locator('tr[data-tenant="t00000"]').getByText('No endpoints').waitFor();

      started = Date.now();
      await page.getByRole('button', { name: 'Load more' }).click();
      await rows.nth(49).waitFor();
      const secondPageMs = Date.now() - started;
      expect(api).toHaveLength(2);
      expect(api[1]).toMatch(/\/api\/v1\/operator\/health\?limit=25&cursor=t00024$/);

      started = Date.now();
      await page.getByLabel('Search tenants and endpoints').fill('far-away');
      await page.locator('tr[data-tenant="t09876"]').getByText('1 disabled').waitFor();
      const searchMs = Date.now() - started;
      await expect.poll(() => rows.count()).toBe(1);
      expect(api).toHaveLength(3);
      expect(api[2]).toContain('search=far-away');

      page.off('request', count);
      // Nothing but the API was asked for: the app's own files were loaded at sign-in.
      expect(others).toEqual([]);
      console.log(
        `health tab, ${TENANTS} tenants: first page ${firstPageMs} ms, next page ${secondPageMs} ms, a search ${searchMs} ms (typing pause of 300 ms included); ${api.length} API requests for two pages and a search`,
      );
    } finally {
      await context.close();
    }
  }, 120_000);
});
