import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium, shot } from '../support/browser.js';
import { adminCall, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { HostPage } from '../support/host-page.js';

/**
 * The portal embedded in a product's page on another loopback origin (design brief,
 * "Embedding the portal"), and portal links opened in a tab that is already signed in.
 */
// The root tsconfig has no DOM lib: these run inside the page, through evaluate.
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };
declare const window: unknown;

let herald: TestHerald;
let host: HostPage;
let browser: Browser;
let portalUrl = '';

const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);
const linkFor = async (tenant: string) => (await api<{ url: string }>('POST', `/tenants/${tenant}/portal-token`, {})).url;

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  host = await HostPage.start(() => portalUrl);
  const portal = loadConfig({}, { HERALD_PORTAL_FRAME_ANCESTORS: host.origin, HERALD_PORTAL_BRAND_NAME: 'Acme Webhooks', HERALD_PORTAL_BRAND_COLOR: '#0a7d5a' }).portal;
  [herald, browser] = await Promise.all([startTestHerald({ portal }), launchChromium()]);
  await api('POST', '/tenants', { id: 'acme', name: 'Acme', settings: { portal: { brandColor: '#7a1fa2' } } });
  await api('POST', '/tenants', { id: 'globex', name: 'Globex' });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await host?.close();
  if (herald) removeDir(herald.dir);
});

describe('the portal in a product’s page', () => {
  it('validates settings.portal: a colour is #rgb or #rrggbb', async () => {
    for (const brandColor of ['red', '#12345', 'url(x)']) {
      const answer = await herald.api('PATCH', '/api/v1/tenants/globex', { settings: { portal: { brandColor } } });
      expect(answer.status, brandColor).toBe(422);
    }
    expect((await api('GET', '/tenants/acme')).settings.portal).toEqual({ brandColor: '#7a1fa2' });
  });

  it('renders in the frame in the link’s language, takes the brand, and resizes the frame', async () => {
    // Enough catalog that the "Event catalog" tab is taller than the endpoints tab.
    for (const name of ['order.paid', 'order.refunded', 'order.shipped', 'user.created', 'user.deleted']) {
      await api('POST', '/event-types', { name, description: `${name} happened`, example: { id: 1 } });
    }
    portalUrl = `${await linkFor('acme')}&lang=ar`;
    expect(portalUrl).toMatch(/\/portal#token=hpt_[^&]+&lang=ar$/);
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(host.origin);
      const frame = page.frameLocator('#portal');
      await frame.getByRole('heading', { name: 'نقاط الاستقبال' }).waitFor();
      // The operator's name (the tenant sets none), the tenant's colour (it overrides the operator's).
      await frame.getByText('Acme Webhooks').waitFor();
      const add = frame.getByRole('button', { name: 'إضافة نقطة استقبال' });
      expect(await add.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(122, 31, 162)');
      expect(await frame.locator('html').evaluate((el) => [el.lang, el.dir].join())).toBe('ar,rtl');

      // The frame grew from its 150 px to the portal's height, as the portal said.
      const resizes = () => page.evaluate(() => (window as { resizes: number[] }).resizes);
      await expect.poll(async () => (await resizes()).length).toBeGreaterThan(0);
      const first = (await resizes()).at(-1)!;
      expect(first).toBeGreaterThan(150);
      expect(await page.locator('#portal').evaluate((el) => el.getBoundingClientRect().height)).toBe(first);
      await shot(page, 'embed-portal-ar');

      // A taller view: the catalog lists every type. The portal says so and the frame follows.
      await frame.getByRole('button', { name: 'دليل الأحداث' }).click();
      await frame.getByText('order.shipped', { exact: true }).waitFor();
      await expect.poll(async () => (await resizes()).at(-1)).toBeGreaterThan(first);
      const now = (await resizes()).at(-1)!;
      await expect.poll(() => page.locator('#portal').evaluate((el) => el.getBoundingClientRect().height)).toBe(now);
    } finally {
      await context.close();
    }
  });
});

describe('a portal link in a tab that is already signed in', () => {
  it('asks before replacing the session, and keeps it when asked to', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(await linkFor('acme'));
      await page.getByText('Tenant Acme').waitFor();

      await page.goto(await linkFor('globex'));
      const question = page.getByRole('alertdialog', { name: 'Replace the current session?' });
      await question.waitFor();
      await shot(page, 'portal-replace-session-en');
      await question.getByRole('button', { name: 'Keep the current session' }).click();
      await page.getByText('Tenant Acme').waitFor();
      expect(page.url()).not.toContain('token=');

      await page.goto(await linkFor('globex'));
      await page.getByRole('alertdialog', { name: 'Replace the current session?' }).getByRole('button', { name: 'Use the link' }).click();
      await page.getByText('Tenant Globex').waitFor();
    } finally {
      await context.close();
    }
  });
});
