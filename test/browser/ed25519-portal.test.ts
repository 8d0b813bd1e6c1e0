import { describe, expect, it } from 'vitest';
import { shot, useDashboardRig } from '../support/browser.js';

/** The portal for an endpoint that signs with an Ed25519 key pair (issue 15), in a real Chromium. */
const rig = useDashboardRig(async (rig) => {
  await rig.api('POST', '/event-types', { name: 'order.paid', description: 'An order was paid' });
  await rig.api('POST', '/tenants', { id: 'edco', name: 'Ed Co', settings: { signature: { scheme: 'ed25519' } } });
});
const { api } = rig;

describe('portal, ed25519 endpoint', () => {
  it('shows the public key after creating, and on the endpoint page with the scheme explained', async () => {
    const page = await (await rig.browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto((await api<{ url: string }>('POST', '/tenants/edco/portal-token', {})).url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'Add endpoint' });
    await form.getByLabel('URL').fill(`${rig.receiver.url}/orders`);
    await form.getByLabel('order.paid', { exact: false }).first().check();
    await form.getByRole('button', { name: 'Create' }).click();

    const shown = page.getByRole('dialog', { name: 'Public key (Ed25519)' });
    const publicKey = await shown.getByLabel('Public key').inputValue();
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const [endpoint] = (await api<{ data: Array<{ id: string }> }>('GET', '/tenants/edco/endpoints')).data;
    expect(await api('GET', `/tenants/edco/endpoints/${endpoint!.id}/public-key`)).toEqual({ publicKey });
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Details' }).click();
    await page.getByText('Ed25519 key pair (Standard Webhooks v1a)', { exact: false }).waitFor();
    expect(await page.getByLabel('Public key').inputValue()).toBe(publicKey);
    await shot(page, 'portal-endpoint-ed25519-en');
  });
});
