import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium, shot } from '../support/browser.js';
import { ADMIN_TOKEN, adminCall, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/** The operator console's credentials screen (issue 12): list, create once, revoke, in both languages. */
let herald: TestHerald;
let browser: Browser;
const api = <T = any>(method: string, path: string, body?: unknown) => adminCall<T>(herald, method, path, body);
const statusWith = async (token: string) => (await herald.api('GET', '/api/v1/me', undefined, token)).status;

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
  await api('POST', '/tenants', { id: 'keyco', name: 'Key Co' });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
});

describe('operator console: credentials', () => {
  it('lists a tenant’s keys and portal links, shows a new key once, and revokes each at once', async () => {
    const existing = await api<{ key: string }>('POST', '/tenants/keyco/api-keys', { name: 'ci-bot' });
    const link = await api<{ token: string }>('POST', '/tenants/keyco/portal-token', {});
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(herald.url);
    await page.getByLabel('API key or admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('row').filter({ hasText: 'keyco' }).getByRole('button', { name: 'Keys and links' }).click();

    const dialog = page.getByRole('dialog', { name: 'Credentials of keyco' });
    const keys = dialog.getByRole('table', { name: 'API keys' });
    await keys.getByText('ci-bot').waitFor();
    await dialog.getByRole('table', { name: 'Portal links' }).getByText(link.token.slice(0, 12)).waitFor();
    expect(await page.content()).not.toContain(existing.key);

    await dialog.getByLabel('Name').fill('deploy');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const created = await dialog.getByLabel('New API key').inputValue();
    expect(created).toMatch(/^htk_/);
    expect(await statusWith(created)).toBe(200);
    await keys.getByText('deploy').waitFor();
    await shot(page, 'console-credentials-en');

    await keys.getByRole('row').filter({ hasText: 'ci-bot' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke this credential?' }).getByRole('button', { name: 'Revoke' }).click();
    await keys.getByText('ci-bot').waitFor({ state: 'detached' });
    expect(await statusWith(existing.key)).toBe(401);
    expect(await statusWith(created)).toBe(200);

    const links = dialog.getByRole('table', { name: 'Portal links' });
    await links.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke this credential?' }).getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByText('No live portal links.').waitFor();
    expect(await statusWith(link.token)).toBe(401);

    // The same screen in Arabic.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('row').filter({ hasText: 'keyco' }).getByRole('button', { name: 'المفاتيح والروابط' }).click();
    const arabic = page.getByRole('dialog', { name: /بيانات اعتماد/ });
    await arabic.getByRole('table', { name: 'مفاتيح API' }).getByText('deploy').waitFor();
    await arabic.getByText('لا روابط بوابة سارية.').waitFor();
    await shot(page, 'console-credentials-ar');
  });
});
