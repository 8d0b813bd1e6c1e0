import { describe, expect, it } from 'vitest';
import { pageWidth, shot, useDashboardRig } from '../support/browser.js';
import { ADMIN_TOKEN, eventually } from '../support/herald.js';

/**
 * Issue 13 in a real browser: the console's banners for tenant endpoints that are failing or
 * disabled, and the operator's endpoints (add, test, disable, enable, rotate, edit), their
 * deliveries (open, retry) and settings, in English and Arabic.
 */
const rig = useDashboardRig(async (rig) => {
  rig.receiver.respond((request, res) => void res.writeHead(request.url === '/down' ? 500 : 200).end('ok'));
  await rig.api('PATCH', '/operator/settings', { failingAfter: 1 });
  await rig.api('POST', '/event-types', { name: 'shop.order' });
  await rig.api('POST', '/tenants', { id: 'shopco', name: 'Shop Co', settings: { retrySchedule: [0, 3600] } });
  const off = await rig.api('POST', '/tenants/shopco/endpoints', { url: `${rig.receiver.url}/off`, eventTypes: ['*'] });
  await rig.api('POST', `/tenants/shopco/endpoints/${off.id}/disable`);
  const down = await rig.api('POST', '/tenants/shopco/endpoints', { url: `${rig.receiver.url}/down`, eventTypes: ['shop.order'] });
  await rig.api('POST', '/tenants/shopco/events', { type: 'shop.order', data: {} });
  await eventually(async () => (await rig.api('GET', `/tenants/shopco/endpoints/${down.id}`)).failing === true);
});
const { api } = rig;

describe('operator console: operational events', () => {
  it('warns of each failing or disabled tenant endpoint, and manages the operator’s endpoints, deliveries and settings', async () => {
    const page = await (await rig.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(rig.herald.url);
    await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const banners = page.getByRole('region', { name: 'Tenant endpoints needing attention' });
    await banners.getByText('Tenant shopco: endpoint disabled').waitFor();
    await banners.getByText('Tenant shopco: endpoint failing (1 consecutive failed attempts)').waitFor();
    await expect(banners.getByRole('status').count()).resolves.toBe(2);

    await page.getByRole('button', { name: 'Operator endpoints' }).click();
    const failingAfter = page.getByLabel('Failing after (consecutive failed attempts)');
    // The settings load after the view opens: wait for the stored value, not the empty field.
    await expect.poll(() => failingAfter.inputValue(), { timeout: 10_000 }).toBe('1');
    await failingAfter.fill('4');
    await page.getByRole('form', { name: 'Operator settings' }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(await api('GET', '/operator/settings')).toEqual({ failingAfter: 4 });

    // Add an endpoint with the portal's own form, fed the operational catalog.
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'Add endpoint' });
    await form.getByLabel('URL').fill(`${rig.receiver.url}/ops`);
    await form.getByRole('checkbox', { name: /endpoint\.failing/ }).check();
    await form.getByRole('checkbox', { name: /delivery\.exhausted/ }).check();
    await form.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByRole('dialog', { name: 'Signing secret' });
    expect(await secret.getByRole('textbox').inputValue()).toMatch(/^whsec_/);
    await secret.getByRole('button', { name: 'Close', exact: true }).last().click();
    const card = page.getByRole('listitem').filter({ hasText: `${rig.receiver.url}/ops` });
    await card.waitFor();
    const [created] = (await api('GET', '/operator/endpoints')).data;
    expect(created).toMatchObject({ url: `${rig.receiver.url}/ops`, eventTypes: ['endpoint.failing', 'delivery.exhausted'] });

    await card.getByRole('button', { name: 'Send test' }).click();
    const test = page.getByRole('dialog', { name: 'Send a test event' });
    await test.getByRole('button', { name: 'Send test' }).click();
    await test.getByText(/200/).first().waitFor();
    await shot(page, 'console-operator-test-en');
    await test.getByRole('button', { name: 'Close', exact: true }).last().click();
    expect(rig.receiver.received.filter((r) => r.url === '/ops')).toHaveLength(1);

    await card.getByText('More actions').click();
    await card.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await card.getByRole('button', { name: 'Enable' }).click();
    await eventually(async () => (await api('GET', `/operator/endpoints/${created.id}`)).status === 'active');
    // The disclosure stays open across the reload.
    if ((await card.locator('details.more').getAttribute('open')) === null) await card.getByText('More actions').click();
    await card.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Signing secret' }).getByRole('button', { name: 'Close', exact: true }).last().click();

    await page.getByRole('navigation', { name: 'Operator endpoint sections' }).getByRole('button', { name: 'Deliveries' }).click();
    const table = page.getByRole('table', { name: 'Deliveries' });
    await table.getByText('endpoint.failing').waitFor();
    await table.getByRole('button', { name: 'Open' }).first().click();
    const detail = page.getByRole('dialog', { name: /endpoint\.failing/ });
    await detail.getByRole('button', { name: 'Retry' }).click();
    await eventually(async () => rig.receiver.received.filter((r) => r.url === '/ops').length === 2);
    await shot(page, 'console-operator-deliveries-en');
    await detail.getByRole('button', { name: 'Close' }).first().click();
    await detail.waitFor({ state: 'detached' });

    // The same screens in Arabic, the banners included.
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('region', { name: 'نقاط استقبال المستأجرين التي تحتاج إلى انتباه' }).getByText('المستأجر \u2068shopco\u2069: نقطة الاستقبال معطّلة').waitFor(); // the id isolated (FSI…PDI)
    await page.getByRole('navigation', { name: 'أقسام نقاط استقبال المشغّل' }).getByRole('button', { name: 'نقاط الاستقبال' }).click();
    await page.getByLabel('تُعدّ مُخفقة بعد (محاولات فاشلة متتالية)').waitFor();
    await page.getByText('حُفظت الإعدادات.').waitFor();
    await page.getByRole('listitem').filter({ hasText: `${rig.receiver.url}/ops` }).waitFor();
    await shot(page, 'console-operator-ar');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
  });
});
