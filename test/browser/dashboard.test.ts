import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { adminCall, ADMIN_TOKEN, eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { launchChromium, pageWidth, shot } from '../support/browser.js';
import { Receiver } from '../support/receiver.js';

/**
 * The dashboard in a real Chromium against a real Herald and a real loopback receiver.
 * Needs the built app (`npm run build`). HERALD_SCREENSHOTS=1 also writes docs/screenshots/*.png.
 */
// The root tsconfig has no DOM lib: these run inside the page, through page.evaluate.
declare const document: { documentElement: { lang: string; dir: string }; activeElement: unknown };
declare const sessionStorage: { getItem(key: string): string | null };

const TENANT = 'acme';

let herald: TestHerald;
let receiver: Receiver;
let browser: Browser;
let portal: BrowserContext;
let page: Page;
let endpointId: string;

const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);

const deliveries = async (outcome?: string) =>
  (await api<{ data: Array<{ status: string }> }>('GET', `/tenants/${TENANT}/deliveries?limit=100${outcome ? `&outcome=${outcome}` : ''}`)).data;

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, receiver, browser] = await Promise.all([
    startTestHerald(),
    Receiver.start(),
    launchChromium(),
  ]);
  await api('POST', '/event-types', { name: 'chat.message', description: 'A user sent a message', example: { text: 'hi' } });
  await api('POST', '/event-types', { name: 'chat.deleted', description: 'A message was deleted' });
  await api('POST', '/event-types', { name: 'user.created', description: 'A user signed up' });
  // One attempt per delivery, so a failure is final at once and "Retry failed" has work to do.
  await api('POST', '/tenants', { id: TENANT, name: 'Acme', settings: { retrySchedule: [0] } });
  portal = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await portal.newPage();
  page.setDefaultTimeout(10_000);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

describe('tenant portal', () => {
  it('opens a portal link, adds an endpoint, shows the secret once and sends a test', async () => {
    const link = await api<{ url: string }>('POST', `/tenants/${TENANT}/portal-token`, {});
    await page.goto(link.url);
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    // The token moved to sessionStorage and left the address bar.
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('herald.token'))).toMatch(/^hpt_/);
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('ltr');

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'Add endpoint' });
    await expect.poll(() => form.getByLabel('URL').evaluate((el) => el === document.activeElement)).toBe(true);
    // The server's refusal is shown as it said it.
    // The browser says at once what it can tell; whether the address is safe, the server says.
    await form.getByLabel('URL').fill('example.com/hooks');
    await form.getByRole('alert').filter({ hasText: 'not a complete URL' }).waitFor();
    await form.getByLabel('URL').fill('ftp://example.com/hooks');
    await form.getByRole('alert').filter({ hasText: 'https://' }).waitFor();
    await form.getByLabel('URL').fill('http://169.254.169.254/latest');
    await form.getByLabel('All chat events (chat.*)').check();
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('alert').filter({ hasText: 'unsafe_url' }).waitFor();

    await form.getByLabel('URL').fill(`${receiver.url}/hooks`);
    await form.getByLabel('Description').fill('Chat bot');
    await form.getByRole('button', { name: 'Create' }).click();
    const secretDialog = page.getByRole('dialog', { name: 'Signing secret' });
    const secret = await secretDialog.getByLabel('Secret').inputValue();
    expect(secret.length).toBeGreaterThan(16);
    await secretDialog.getByRole('button', { name: 'Copy' }).waitFor();
    await shot(page, 'portal-secret-en');
    await page.keyboard.press('Escape');
    await secretDialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    const card = page.getByRole('listitem').filter({ hasText: `${receiver.url}/hooks` });
    await card.getByText('Chat bot').waitFor();
    await card.getByText('chat.*').waitFor();
    endpointId = (await api<{ data: Array<{ id: string }> }>('GET', `/tenants/${TENANT}/endpoints`)).data[0]!.id;

    await card.getByRole('button', { name: 'Send test' }).click();
    const testDialog = page.getByRole('dialog', { name: 'Send a test event' });
    // The type is chosen among the endpoint's subscriptions, and the payload shown before sending.
    await testDialog.getByLabel('Event type').selectOption('chat.message');
    expect(await testDialog.getByTestId('test-payload').textContent()).toContain('"text": "hi"');
    await testDialog.getByRole('button', { name: 'Send test' }).click();
    const result = testDialog.getByRole('region', { name: 'Test result' });
    await result.getByText('Success').waitFor();
    await expect.poll(() => result.textContent()).toContain('200');
    await result.getByText('ok', { exact: true }).waitFor();
    expect(receiver.received.length).toBe(1);
    expect(JSON.parse(receiver.received[0]!.body.toString())).toMatchObject({ type: 'chat.message', data: { text: 'hi' } });
    await shot(page, 'portal-send-test-en');
    // The result links to the delivery it made.
    await result.getByRole('button', { name: 'Open this delivery in the log' }).click();
    const made = page.getByRole('dialog', { name: `chat.message to ${receiver.url}/hooks` });
    await made.getByText('Attempt 1 of 1').waitFor();
    await page.keyboard.press('Escape');
    await made.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Endpoints' }).click();
  });

  it('filters the delivery log by outcome for events published through the API', async () => {
    for (const text of ['one', 'two']) await api('POST', `/tenants/${TENANT}/events`, { type: 'chat.message', data: { text } });
    await eventually(async () => (await deliveries('succeeded')).length === 3);
    receiver.respond((_request, res) => void res.writeHead(500).end('down for maintenance'));
    for (const text of ['three', 'four']) await api('POST', `/tenants/${TENANT}/events`, { type: 'chat.message', data: { text } });
    await eventually(async () => (await deliveries('failed')).length === 2);

    await page.getByRole('button', { name: 'Deliveries' }).first().click();
    const rows = page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    await page.getByLabel('Outcome').selectOption('failed');
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))).join()).toMatch(/^(dead|failed),(dead|failed)$/);
    await page.getByLabel('Outcome').selectOption('succeeded');
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))).join()).toBe('succeeded,succeeded,succeeded');
    await page.getByLabel('Outcome').selectOption('');
    await expect.poll(() => rows.count()).toBe(5);
  });

  it('shows a failed delivery’s attempts, then "Retry failed" delivers them once the receiver recovers', async () => {
    await page.getByLabel('Outcome').selectOption('failed');
    const rows = page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.first().getByRole('button', { name: /^Open the chat.message delivery/ }).click();
    // The title says what went where; "failed" and "dead" are explained.
    const detail = page.getByRole('dialog', { name: `chat.message to ${receiver.url}/hooks` });
    await detail.getByText(/^(Dead|Failed): /).waitFor();
    await detail.getByText('Attempt 1 of 1').waitFor();
    await detail.getByText('down for maintenance').waitFor();
    await detail.getByText('Payload').waitFor();
    expect(await detail.textContent()).toContain('"text"');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    receiver.respond((_request, res) => void res.writeHead(200).end('ok'));
    await page.getByRole('button', { name: 'Endpoints' }).click();
    const card = page.getByRole('listitem').filter({ hasText: `${receiver.url}/hooks` });
    await card.getByText('2 consecutive failed deliveries').waitFor();
    await card.getByText('More actions').click();
    await card.getByRole('button', { name: 'Retry failed' }).click();
    await card.getByRole('status').filter({ hasText: '2 deliveries queued again' }).waitFor();
    await eventually(async () => (await deliveries('succeeded')).length === 5);

    await card.getByRole('button', { name: 'Deliveries' }).click();
    await page.getByLabel('Outcome').selectOption('failed');
    await page.getByText('No deliveries match these filters.').waitFor();
    await page.getByLabel('Outcome').selectOption('succeeded');
    await expect.poll(() => page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr').count()).toBe(5);
  });

  it('draws a success-rate sparkline on the card and saves an edited description', async () => {
    await page.getByRole('button', { name: 'Endpoints' }).click();
    const card = page.getByRole('listitem').filter({ hasText: `${receiver.url}/hooks` });
    // 6 attempts, the test send aside: 2 delivered, 2 failed, then those 2 delivered on retry.
    const sparkline = card.getByRole('img', { name: '66.7% delivered (24 h)' });
    await sparkline.waitFor();
    expect(await sparkline.locator('polyline, circle').count()).toBeGreaterThan(0);

    await card.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('dialog', { name: 'Edit endpoint' });
    expect(await form.getByLabel('URL').inputValue()).toBe(`${receiver.url}/hooks`);
    await form.getByLabel('Description').fill('Chat bot, edited');
    // The filter is checked as JSON here, and the server's refusal of a bad operator is shown as it said it.
    await form.getByLabel(/^Payload filter/).fill('{"data.text":');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'The filter must be a JSON object.' }).waitFor();
    await form.getByLabel(/^Payload filter/).fill('{"data.text": {"$regex": "x"}}');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'filter is invalid' }).waitFor();
    await form.getByLabel(/^Payload filter/).fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('status').filter({ hasText: 'Endpoint saved' }).waitFor();
    await card.getByText('Chat bot, edited').waitFor();
    expect(await api('GET', `/tenants/${TENANT}/endpoints/${endpointId}`)).toMatchObject({ description: 'Chat bot, edited', eventTypes: ['chat.*'] });

    // Everything failed has been re-sent already: recovering finds nothing left to queue.
    if (!(await card.getByLabel('Recover since').isVisible())) await card.getByText('More actions').click();
    await card.getByLabel('Recover since').fill('2020-01-01T00:00:00');
    await card.getByRole('button', { name: 'Recover', exact: true }).click();
    await card.getByRole('status').filter({ hasText: '0 failed deliveries since then queued again' }).waitFor();
  });

  it('switches to العربية: <html dir="rtl" lang="ar">, remembered across reloads', async () => {
    await page.getByRole('button', { name: 'Endpoints' }).click();
    await page.getByRole('button', { name: 'العربية' }).click();
    await expect.poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir].join())).toBe('ar,rtl');
    await page.getByRole('button', { name: 'إضافة نقطة استقبال' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'English' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('button', { name: 'عمليات التسليم' }).first().click();
    await page.getByRole('table', { name: 'عمليات التسليم' }).waitFor();

    // 390 px: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'نقاط الاستقبال' }).click();
    await page.getByRole('button', { name: 'إرسال تجربة' }).waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir].join())).toBe('en,ltr');
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
  });
});

describe('operator console', () => {
  it('signs in with the admin token, creates a tenant and an event type, and makes a portal link', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const admin = await context.newPage();
    admin.setDefaultTimeout(10_000);
    try {
      await admin.goto(herald.url);
      await admin.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
      await admin.getByRole('button', { name: 'Sign in' }).click();
      await admin.getByRole('heading', { name: 'Tenants' }).waitFor();
      await admin.getByRole('table', { name: 'Tenants' }).getByText('Acme', { exact: true }).waitFor();

      await admin.getByRole('button', { name: 'Create tenant' }).click();
      const form = admin.getByRole('dialog', { name: 'Create tenant' });
      await form.getByLabel('Name', { exact: true }).fill('Globex');
      await form.getByLabel(/^ID/).fill('globex');
      await form.getByLabel('Signature scheme').selectOption('hub-sha256');
      await form.getByLabel('Envelope').selectOption('camel');
      await form.getByRole('button', { name: 'Create' }).click();
      await admin.getByRole('status').filter({ hasText: 'Tenant globex created' }).waitFor();
      const tenant = await api('GET', '/tenants/globex');
      expect(tenant).toMatchObject({ name: 'Globex', settings: { signature: { scheme: 'hub-sha256' }, envelope: 'camel' } });

      const row = admin.getByRole('row').filter({ hasText: 'globex' });
      await row.getByRole('button', { name: 'Edit settings' }).click();
      const settings = admin.getByRole('dialog', { name: 'Settings for globex' });
      expect(await settings.getByLabel('Envelope').inputValue()).toBe('camel');
      await settings.getByLabel('Envelope').selectOption('snake');
      await settings.getByLabel('Retry schedule (seconds)').fill('1, 60, 600');
      await settings.getByLabel('Period').selectOption('day');
      await settings.getByLabel('Events per period').fill('500');
      await settings.getByLabel('Retention (days)').fill('0');
      await settings.getByRole('button', { name: 'Save' }).click();
      await settings.getByRole('alert').filter({ hasText: 'retentionDays' }).waitFor();
      await settings.getByLabel('Retention (days)').fill('14');
      await settings.getByRole('button', { name: 'Save' }).click();
      await admin.getByRole('status').filter({ hasText: 'Settings for globex saved' }).waitFor();
      expect(await api('GET', '/tenants/globex')).toMatchObject({
        settings: { signature: { scheme: 'hub-sha256' }, envelope: 'snake', retrySchedule: [1, 60, 600], eventQuota: { limit: 500, period: 'day' }, retentionDays: 14 },
      });

      await row.getByRole('button', { name: 'Portal link' }).click();
      const linkDialog = admin.getByRole('dialog', { name: 'Portal link for globex' });
      expect(await linkDialog.getByLabel('Portal link').inputValue()).toMatch(/\/portal#token=hpt_/);
      await shot(admin, 'console-portal-link-en');
      await admin.keyboard.press('Escape');

      await admin.getByRole('button', { name: 'Event types' }).click();
      await admin.getByRole('button', { name: 'Add event type' }).click();
      const typeForm = admin.getByRole('dialog', { name: 'Add event type' });
      await typeForm.getByLabel('Name').fill('order.paid');
      await typeForm.getByLabel('Description').fill('An order was paid');
      await typeForm.getByLabel(/^JSON schema/).fill('{"type":"object","required":["amount"]}');
      await typeForm.getByLabel(/^Example payload/).fill('{"amount": 42}');
      await typeForm.getByRole('button', { name: 'Create' }).click();
      await admin.getByRole('status').filter({ hasText: 'Event type order.paid added' }).waitFor();
      await admin.getByRole('table', { name: 'Event types' }).getByText('order.paid').waitFor();
      expect(await api('GET', '/event-types/order.paid')).toMatchObject({ description: 'An order was paid', schema: { required: ['amount'] }, example: { amount: 42 } });

      await admin.getByRole('button', { name: 'Health' }).click();
      // One row per tenant: its attempts over 24 h, all endpoints together.
      const health = admin.locator('tr[data-tenant="acme"]');
      await health.getByText('66.7%').waitFor();
      const chart = admin.getByRole('img', { name: /^\d+ succeeded, \d+ failed, \d+ pending \(24 h\)$/ });
      await chart.waitFor();
      expect(await chart.locator('rect').count()).toBeGreaterThan(0);
      await admin.getByRole('button', { name: 'Event types' }).click();

      await admin.getByRole('button', { name: 'العربية' }).click();
      await admin.getByRole('heading', { name: 'أنواع الأحداث' }).waitFor();
      await admin.getByRole('button', { name: 'المستأجرون' }).click();
      await admin.getByRole('table', { name: 'المستأجرون' }).getByText('Globex', { exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });
});
