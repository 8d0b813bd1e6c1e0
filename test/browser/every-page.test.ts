import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium, pageWidth, shot } from '../support/browser.js';
import { adminCall, ADMIN_TOKEN, eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/**
 * Every page of the portal and the console, in both languages, at 1280 px and at 390 px (a
 * phone): each renders its content and none scrolls sideways. With HERALD_SCREENSHOTS=1 the
 * pages are written to docs/screenshots/ as they are visited.
 */
let herald: TestHerald;
let receiver: Receiver;
let browser: Browser;

const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, receiver, browser] = await Promise.all([startTestHerald(), Receiver.start(), launchChromium()]);
  await api('POST', '/event-types', {
    name: 'order.paid',
    description: 'An order was paid',
    schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', description: 'In cents' }, customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } },
    example: { amount: 4200, customer: { email: 'ada@example.com' } },
  });
  await api('POST', '/tenants', { id: 'acme', name: 'Acme', settings: { retrySchedule: [0] } });
  const long = `${receiver.url}/hooks/a-rather-long-path-that-would-push-a-phone-screen-sideways/${'x'.repeat(60)}`;
  const endpoint = await api<{ id: string }>('POST', '/tenants/acme/endpoints', { url: long, eventTypes: ['order.*'], description: 'Orders to the ledger' });
  await api('POST', '/tenants/acme/endpoints', { url: `${receiver.url}/paused`, eventTypes: ['*'] });
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 4200 } });
  receiver.respond((_request, res) => void res.writeHead(500).end('down for maintenance'));
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 10 } });
  await eventually(async () => (await api<{ data: { status: string }[] }>('GET', '/tenants/acme/deliveries?outcome=failed')).data.length >= 1);
  // A disabled endpoint with a delivery waiting on it: the log says "paused".
  const paused = (await api<{ data: { id: string; url: string }[] }>('GET', '/tenants/acme/endpoints')).data.find((e) => e.url.endsWith('/paused'))!;
  await api('POST', `/tenants/acme/endpoints/${paused.id}/disable`, {});
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 7 } });
  await api('POST', `/tenants/acme/endpoints/${endpoint.id}/disable`, {});
  await api('POST', `/tenants/acme/endpoints/${endpoint.id}/enable`, {});
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

interface Visit {
  name: string;
  /** From the page's first screen to this page; waits until its content is there. */
  open(page: Page, lang: 'en' | 'ar'): Promise<void>;
}

const tab = (page: Page, en: string, ar: string, lang: 'en' | 'ar') => page.getByRole('navigation').getByRole('button', { name: lang === 'en' ? en : ar }).click();

const PORTAL: Visit[] = [
  { name: 'portal-endpoints', open: async (page, lang) => void (await page.getByRole('button', { name: lang === 'en' ? 'Enable' : 'تفعيل' }).waitFor()) },
  {
    name: 'portal-send-test',
    open: async (page, lang) => {
      await page.getByRole('button', { name: lang === 'en' ? 'Send test' : 'إرسال تجربة' }).first().click();
      await page.getByRole('dialog').getByText('"amount": 4200').waitFor();
    },
  },
  {
    name: 'portal-rotate-confirm',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await page.getByText(lang === 'en' ? 'More actions' : 'إجراءات أخرى').first().click();
      await page.getByRole('button', { name: lang === 'en' ? 'Rotate secret' : 'تدوير السر' }).first().click();
      await page.getByRole('dialog').getByLabel(lang === 'en' ? 'Grace period' : 'فترة السماح').waitFor();
    },
  },
  {
    name: 'portal-deliveries',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await tab(page, 'Deliveries', 'عمليات التسليم', lang);
      await page.getByText(lang === 'en' ? 'Paused: endpoint disabled' : 'متوقفة: نقطة الاستقبال معطّلة').first().waitFor();
    },
  },
  {
    name: 'portal-delivery-detail',
    open: async (page, lang) => {
      await page.locator('tr[data-status="dead"] button').first().click();
      await page.getByRole('dialog').getByText(lang === 'en' ? 'Attempt 1 of 1' : /^المحاولة (1|١) من (1|١)/).waitFor();
    },
  },
  {
    name: 'portal-catalog',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await tab(page, 'Event catalog', 'دليل الأحداث', lang);
      await page.getByText('customer.email').waitFor();
    },
  },
  {
    name: 'portal-audit',
    open: async (page, lang) => {
      await tab(page, 'Audit log', 'سجل التدقيق', lang);
      await page.getByText(lang === 'en' ? 'Endpoint disabled' : 'عُطّلت نقطة استقبال').first().waitFor();
    },
  },
  {
    name: 'portal-endpoint-page',
    open: async (page, lang) => {
      await tab(page, 'Endpoints', 'نقاط الاستقبال', lang);
      await page.getByRole('button', { name: lang === 'en' ? 'Details' : 'التفاصيل' }).first().click();
      await page.getByRole('img', { name: lang === 'en' ? /attempts succeeded$/ : /محاولة$/ }).waitFor();
      await page.getByRole('status').filter({ hasText: lang === 'en' ? /^Match/ : /^مطابقة/ }).waitFor();
    },
  },
];

const CONSOLE: Visit[] = [
  { name: 'console-tenants', open: async (page) => void (await page.getByRole('table').getByText('Acme', { exact: true }).waitFor()) },
  {
    name: 'console-event-types',
    open: async (page, lang) => {
      await tab(page, 'Event types', 'أنواع الأحداث', lang);
      await page.getByRole('table').getByText('order.paid').waitFor();
    },
  },
  {
    name: 'console-health',
    open: async (page, lang) => {
      await tab(page, 'Health', 'الصحة', lang);
      await page.getByRole('table').getByText('acme').first().waitFor();
    },
  },
];

async function walk(context: BrowserContext, start: (page: Page) => Promise<void>, visits: Visit[], lang: 'en' | 'ar', width: number) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width, height: width < 500 ? 844 : 860 });
  await start(page);
  if (lang === 'ar') await page.getByRole('button', { name: 'العربية' }).click();
  const wide: string[] = [];
  for (const visit of visits) {
    await visit.open(page, lang);
    if ((await pageWidth(page)) > width) wide.push(`${visit.name}: ${await pageWidth(page)} px`);
    await shot(page, `${width < 500 ? 'mobile-' : ''}${visit.name}-${lang}`);
  }
  await page.close();
  return wide;
}

describe.each([1280, 390])('every page at %i px', (width) => {
  it.each(['en', 'ar'] as const)('the portal in %s renders each page without sideways scrolling', async (lang) => {
    const context = await browser.newContext();
    try {
      const link = await api<{ url: string }>('POST', '/tenants/acme/portal-token', {});
      const start = async (page: Page) => {
        await page.goto(link.url);
        await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
      };
      expect(await walk(context, start, PORTAL, lang, width)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it.each(['en', 'ar'] as const)('the console in %s renders each page without sideways scrolling', async (lang) => {
    const context = await browser.newContext();
    try {
      const start = async (page: Page) => {
        await page.goto(herald.url);
        await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Tenants' }).waitFor();
      };
      expect(await walk(context, start, CONSOLE, lang, width)).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
