import type { BrowserContext, Page } from 'playwright-core';
import { adminCall, ADMIN_TOKEN, eventually, type TestHerald } from './herald.js';
import type { Receiver } from './receiver.js';

/**
 * Every page and dialog of the dashboard, and a tenant to show them with: what the browser tests
 * that go through all of it share (sideways scrolling, contrast, screenshots).
 */

export type Lang = 'en' | 'ar';

export interface Visit {
  name: string;
  /** From the previous visit's page to this one; waits until its content is there. */
  open(page: Page, lang: Lang): Promise<void>;
}

/** A custom header value the dashboard must never show. */
const SENSITIVE_VALUE = 's3cret-header-value';

/**
 * Tenant acme: an endpoint with a long URL whose deliveries failed, rotated with a grace period;
 * a disabled one with a delivery paused on it; a catalog type with a schema and an example.
 */
export async function seedDashboard(herald: TestHerald, receiver: Receiver): Promise<void> {
  const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);
  await api('POST', '/event-types', {
    name: 'order.paid',
    description: 'An order was paid',
    schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', description: 'In cents' }, customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } },
    example: { amount: 4200, customer: { email: 'ada@example.com' } },
  });
  await api('POST', '/tenants', { id: 'acme', name: 'Acme', settings: { retrySchedule: [0] } });
  const long = `${receiver.url}/hooks/a-rather-long-path-that-would-push-a-phone-screen-sideways/${'x'.repeat(60)}`;
  const endpoint = await api<{ id: string }>('POST', '/tenants/acme/endpoints', {
    url: long,
    eventTypes: ['order.*'],
    description: 'Orders to the ledger',
    headers: { 'X-Team': 'ledger', Authorization: `Bearer ${SENSITIVE_VALUE}` },
  });
  const paused = await api<{ id: string }>('POST', '/tenants/acme/endpoints', { url: `${receiver.url}/paused`, eventTypes: ['*'] });
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 4200 } });
  receiver.respond((_request, res) => void res.writeHead(500).end('down for maintenance'));
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 10 } });
  await eventually(async () => (await api<{ data: { status: string }[] }>('GET', '/tenants/acme/deliveries?outcome=failed')).data.length >= 1);
  // A disabled endpoint with a delivery waiting on it: the log says "paused".
  await api('POST', `/tenants/acme/endpoints/${paused.id}/disable`, {});
  await api('POST', '/tenants/acme/events', { type: 'order.paid', data: { amount: 7 } });
  await api('POST', `/tenants/acme/endpoints/${endpoint.id}/disable`, {});
  await api('POST', `/tenants/acme/endpoints/${endpoint.id}/enable`, {});
  await api('POST', `/tenants/acme/endpoints/${endpoint.id}/rotate-secret`, { gracePeriodSeconds: 86_400 });
}

const tab = (page: Page, en: string, ar: string, lang: Lang) => page.getByRole('navigation').getByRole('button', { name: lang === 'en' ? en : ar }).click();
const say = (lang: Lang, en: string, ar: string) => (lang === 'en' ? en : ar);

export const PORTAL: Visit[] = [
  { name: 'portal-endpoints', open: async (page, lang) => void (await page.getByRole('button', { name: say(lang, 'Enable', 'تفعيل') }).waitFor()) },
  {
    name: 'portal-add-endpoint',
    open: async (page, lang) => {
      await page.getByRole('button', { name: say(lang, 'Add endpoint', 'إضافة نقطة استقبال') }).click();
      await page.getByRole('dialog').getByText('order.paid').first().waitFor();
    },
  },
  {
    name: 'portal-send-test',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: say(lang, 'Send test', 'إرسال تجربة') }).first().click();
      await page.getByRole('dialog').getByText('"amount": 4200').waitFor();
    },
  },
  {
    name: 'portal-rotate-confirm',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await page.getByText(say(lang, 'More actions', 'إجراءات أخرى')).first().click();
      await page.getByRole('button', { name: say(lang, 'Rotate secret', 'تدوير السر') }).first().click();
      await page.getByRole('dialog').getByLabel(say(lang, 'Grace period', 'فترة السماح')).waitFor();
    },
  },
  {
    name: 'portal-deliveries',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await tab(page, 'Deliveries', 'عمليات التسليم', lang);
      await page.getByText(say(lang, 'Paused: endpoint disabled', 'متوقفة: نقطة الاستقبال معطّلة')).first().waitFor();
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
      await page.getByText(say(lang, 'Endpoint disabled', 'عُطّلت نقطة استقبال')).first().waitFor();
    },
  },
  {
    name: 'portal-endpoint-page',
    open: async (page, lang) => {
      await tab(page, 'Endpoints', 'نقاط الاستقبال', lang);
      await page.getByRole('button', { name: say(lang, 'Details', 'التفاصيل') }).first().click();
      await page.getByRole('img', { name: lang === 'en' ? /attempts succeeded$/ : /محاولة$/ }).waitFor();
      await page.getByRole('status').filter({ hasText: lang === 'en' ? /^Match/ : /^مطابقة/ }).waitFor();
      await page.getByText(say(lang, 'Rotating: the previous secret also signs until', 'قيد التدوير: يوقّع السر السابق أيضًا حتى')).waitFor();
      await page.getByText('X-Team: ledger').waitFor();
      if ((await page.content()).includes(SENSITIVE_VALUE)) throw new Error('the endpoint page shows a sensitive header value');
    },
  },
];

export const CONSOLE: Visit[] = [
  { name: 'console-tenants', open: async (page) => void (await page.getByRole('table').getByText('Acme', { exact: true }).waitFor()) },
  {
    name: 'console-tenant-settings',
    open: async (page, lang) => {
      await page.getByRole('button', { name: say(lang, 'Edit settings', 'تعديل الإعدادات') }).click();
      await page.getByRole('dialog').getByRole('heading', { name: /acme/ }).waitFor();
    },
  },
  {
    name: 'console-event-types',
    open: async (page, lang) => {
      await page.keyboard.press('Escape');
      await tab(page, 'Event types', 'أنواع الأحداث', lang);
      await page.getByRole('table').getByText('order.paid').waitFor();
    },
  },
  {
    name: 'console-health',
    open: async (page, lang) => {
      await tab(page, 'Health', 'الصحة', lang);
      // The disabled endpoint is flagged in its tenant's row.
      await page.locator('tr[data-tenant="acme"]').getByText(say(lang, '1 disabled', '1 معطّلة')).waitFor();
    },
  },
];

export async function openPortal(herald: TestHerald, page: Page): Promise<void> {
  const link = await adminCall<{ url: string }>(herald, 'POST', '/tenants/acme/portal-token', {});
  await page.goto(link.url);
  await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
}

export async function openConsole(herald: TestHerald, page: Page): Promise<void> {
  await page.goto(herald.url);
  await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Tenants' }).waitFor();
}

/**
 * Opens a page at `width` px, starts it, switches to `lang`, then calls `check` on each visit in
 * turn; answers what the checks found, each prefixed with the visit's name.
 */
export async function visitEach(
  context: BrowserContext,
  options: { width: number; lang: Lang; start: (page: Page) => Promise<void>; visits: Visit[] },
  check: (page: Page, visit: Visit) => Promise<string[]>,
): Promise<string[]> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize({ width: options.width, height: options.width < 500 ? 844 : 860 });
  await options.start(page);
  if (options.lang === 'ar') await page.getByRole('button', { name: 'العربية' }).click();
  const found: string[] = [];
  for (const visit of options.visits) {
    await visit.open(page, options.lang);
    found.push(...(await check(page, visit)).map((problem) => `${visit.name}: ${problem}`));
  }
  await page.close();
  return found;
}
