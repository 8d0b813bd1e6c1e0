import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium, shot } from '../support/browser.js';
import { adminCall, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/** The portal's one endpoint form sets `ordering` on add and on edit (issue 15), in a real Chromium. */
let herald: TestHerald;
let browser: Browser;
let receiver: Receiver;

const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, browser, receiver] = await Promise.all([startTestHerald(), launchChromium(), Receiver.start()]);
  await api('POST', '/event-types', { name: 'order.status_changed', description: 'An order moved on' });
  await api('POST', '/tenants', { id: 'shop', name: 'Shop' });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

it('adds a FIFO endpoint, shows its ordering, and switches it back on edit', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto((await api<{ url: string }>('POST', '/tenants/shop/portal-token', {})).url);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const form = page.getByRole('dialog', { name: 'Add endpoint' });
  await form.getByLabel('URL').fill(`${receiver.url}/orders`);
  await form.getByLabel('order.status_changed', { exact: false }).first().check();
  expect(await form.getByLabel('Ordering').inputValue()).toBe('unordered');
  await form.getByLabel('Ordering').selectOption({ label: 'In publish order (one at a time)' });
  await form.getByRole('button', { name: 'Create' }).click();
  await page.keyboard.press('Escape'); // the secret, shown once

  const [endpoint] = (await api<{ data: Array<{ id: string; ordering: string }> }>('GET', '/tenants/shop/endpoints')).data;
  expect(endpoint!.ordering).toBe('fifo');
  await page.getByRole('button', { name: 'Details' }).click();
  await page.getByText('In publish order (one at a time)').waitFor();
  await shot(page, 'portal-endpoint-fifo-en');

  await page.getByText('All endpoints', { exact: false }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit endpoint' });
  expect(await edit.getByLabel('Ordering').inputValue()).toBe('fifo');
  await edit.getByLabel('Ordering').selectOption('unordered');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'detached' });
  expect((await api<{ ordering: string }>('GET', `/tenants/shop/endpoints/${endpoint!.id}`)).ordering).toBe('unordered');
});
