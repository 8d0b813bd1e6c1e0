import { expect, it } from 'vitest';
import { shot, useDashboardRig } from '../support/browser.js';

/** The portal's one endpoint form sets `ordering` (issue 15) and `maxInFlight` on add and on edit, in a real Chromium. */
const rig = useDashboardRig(async (rig) => {
  await rig.api('POST', '/event-types', { name: 'order.status_changed', description: 'An order moved on' });
  await rig.api('POST', '/tenants', { id: 'shop', name: 'Shop' });
});
const { api } = rig;

it('adds a FIFO endpoint with a cap on requests at once, shows both, and switches them back on edit', async () => {
  const page = await (await rig.browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto((await api<{ url: string }>('POST', '/tenants/shop/portal-token', {})).url);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const form = page.getByRole('dialog', { name: 'Add endpoint' });
  await form.getByLabel('URL').fill(`${rig.receiver.url}/orders`);
  await form.getByLabel('order.status_changed', { exact: false }).first().check();
  expect(await form.getByLabel('Ordering').inputValue()).toBe('unordered');
  await form.getByLabel('Ordering').selectOption({ label: 'In publish order (one at a time)' });
  expect(await form.getByLabel('Requests at once, at most').inputValue()).toBe('');
  await form.getByLabel('Requests at once, at most').fill('4');
  await form.getByRole('button', { name: 'Create' }).click();
  // The secret is shown once; Escape before its dialog opens would leave it open over the page.
  const secretDialog = page.getByRole('dialog', { name: 'Signing secret' });
  await secretDialog.getByLabel('Secret').waitFor();
  await page.keyboard.press('Escape');
  await secretDialog.waitFor({ state: 'detached' });

  const [endpoint] = (await api<{ data: Array<{ id: string; ordering: string; maxInFlight: number | null }> }>('GET', '/tenants/shop/endpoints')).data;
  expect(endpoint).toMatchObject({ ordering: 'fifo', maxInFlight: 4 });
  await page.getByRole('button', { name: 'Details' }).click();
  await page.getByText('In publish order (one at a time)').waitFor();
  const settings = page.locator('dl.facts');
  expect(await settings.locator('dt:has-text("Requests at once, at most") + dd').textContent()).toBe('4');
  await shot(page, 'portal-endpoint-fifo-en');

  await page.getByText('All endpoints', { exact: false }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit endpoint' });
  expect(await edit.getByLabel('Ordering').inputValue()).toBe('fifo');
  await edit.getByLabel('Ordering').selectOption('unordered');
  expect(await edit.getByLabel('Requests at once, at most').inputValue()).toBe('4');
  await edit.getByLabel('Requests at once, at most').fill('');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'detached' });
  expect(await api<{ ordering: string; maxInFlight: number | null }>('GET', `/tenants/shop/endpoints/${endpoint!.id}`)).toMatchObject({ ordering: 'unordered', maxInFlight: null });
});
