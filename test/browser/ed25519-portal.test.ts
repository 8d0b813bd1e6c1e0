import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium, shot } from '../support/browser.js';
import { adminCall, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/** The portal for an endpoint that signs with an Ed25519 key pair (issue 15), in a real Chromium. */
let herald: TestHerald;
let browser: Browser;
let receiver: Receiver;

const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, browser, receiver] = await Promise.all([startTestHerald(), launchChromium(), Receiver.start()]);
  await api('POST', '/event-types', { name: 'order.paid', description: 'An order was paid' });
  await api('POST', '/tenants', { id: 'edco', name: 'Ed Co', settings: { signature: { scheme: 'ed25519' } } });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

describe('portal, ed25519 endpoint', () => {
  it('shows the public key after creating, and on the endpoint page with the scheme explained', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto((await api<{ url: string }>('POST', '/tenants/edco/portal-token', {})).url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'Add endpoint' });
    await form.getByLabel('URL').fill(`${receiver.url}/orders`);
    await form.getByLabel('order.paid', { exact: false }).first().check();
    await form.getByRole('button', { name: 'Create' }).click();

    const shown = page.getByRole('dialog', { name: 'Public key (Ed25519)' });
    const publicKey = await shown.getByLabel('Public key').inputValue();
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const [endpoint] = (await api<{ data: Array<{ id: string }> }>('GET', '/tenants/edco/endpoints')).data;
    expect(await api('GET', `/tenants/edco/endpoints/${endpoint!.id}/public-key`)).toEqual({ publicKey });
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Details' }).click();
    await page.getByText('Ed25519 key pair (Standard Webhooks v1a)', { exact: false }).waitFor();
    expect(await page.getByLabel('Public key').inputValue()).toBe(publicKey);
    await shot(page, 'portal-endpoint-ed25519-en');
  });
});
