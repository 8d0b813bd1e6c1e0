import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { launchChromium } from '../support/browser.js';
import { openPortal, seedDashboard } from '../support/dashboard-pages.js';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { escapesFromDialog, focused, tabTo, unreachable } from '../support/keyboard.js';
import { Receiver } from '../support/receiver.js';

/**
 * Every screen and dialog of the portal and the console with the keyboard alone (Tab,
 * Shift+Tab, Enter, Space, Escape): each control is reached and shows a focus ring, actions
 * run from the keyboard, dialogs keep the focus inside and give it back to what opened them.
 */
let herald: TestHerald;
let receiver: Receiver;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
  [herald, receiver, browser] = await Promise.all([startTestHerald(), Receiver.start(), launchChromium()]);
  await seedDashboard(herald, receiver);
}, 60_000);
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(10_000);
});
afterEach(async () => {
  await page.close();
});
afterAll(async () => {
  await browser?.close();
  await herald?.stop();
  await receiver?.close();
  if (herald) removeDir(herald.dir);
});

/** Every control of the screen (or open dialog) reached by Tab, each with a visible focus ring. */
async function expectAllReachable(what: string) {
  expect(await unreachable(page), what).toEqual({ missed: [], noRing: [] });
}

/** Opens a dialog with Enter on the named control; checks it traps the focus, closes it with Escape and checks the focus came back. */
async function throughDialog(opener: string | RegExp, title: string | RegExp, inside?: () => Promise<void>) {
  const from = await tabTo(page, opener);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor();
  expect((await focused(page))?.dialog, `focus moves into ${String(title)}`).toMatch(title);
  await expectAllReachable(`the ${String(title)} dialog`);
  expect(await escapesFromDialog(page), `Tab stays inside ${String(title)}`).toEqual([]);
  await inside?.();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(page))?.name, `focus returns to what opened ${String(title)}`).toBe(from.name);
}

async function toTab(name: string) {
  await tabTo(page, name, { inNav: true });
  await page.keyboard.press('Enter');
}

describe('the portal with the keyboard alone', () => {
  it('reaches and operates every screen and dialog', async () => {
    await openPortal(herald, page);
    await expectAllReachable('the endpoints');
    await throughDialog('Add endpoint', 'Add endpoint');
    await throughDialog('Send test', 'Send a test event', async () => {
      await tabTo(page, 'Send test');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').getByRole('button', { name: 'Open this delivery in the log' }).waitFor();
    });
    await throughDialog('Edit', 'Edit endpoint');

    // "More actions" opens with Enter; its actions ask first, and the question is a dialog too.
    await tabTo(page, 'More actions');
    await page.keyboard.press('Enter');
    await expectAllReachable('the endpoints with More actions open');
    await throughDialog('Rotate secret', 'Rotate the signing secret?');
    await throughDialog('Disable', 'Disable this endpoint?');

    // The endpoint page, its range buttons, and back.
    await tabTo(page, 'Details');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '← All endpoints' }).waitFor();
    await expectAllReachable('the endpoint page');
    await tabTo(page, '7 days');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe('true');
    await tabTo(page, '← All endpoints');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Add endpoint' }).waitFor();

    await toTab('Deliveries');
    await page.getByRole('table', { name: 'Deliveries' }).waitFor();
    await expectAllReachable('the delivery log');
    await throughDialog(/^Open the order\.paid delivery/, /^order\.paid to /);
    // A filter, chosen with the arrow keys.
    await tabTo(page, 'Outcome');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByRole('table', { name: 'Deliveries' }).locator('tr[data-status]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))).toEqual(
      expect.not.arrayContaining(['pending', 'dead']),
    );

    await toTab('Event catalog');
    await page.getByText('customer.email').waitFor();
    await expectAllReachable('the event catalog');
    await toTab('Audit log');
    await page.getByRole('table').first().waitFor();
    await expectAllReachable('the audit log');

    // The language switch, then the same screen in Arabic.
    await tabTo(page, 'العربية');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'سجل التدقيق' }).waitFor();
    await expectAllReachable('the audit log in Arabic');
  }, 120_000);
});

describe('the console with the keyboard alone', () => {
  it('signs in and reaches and operates every screen and dialog', async () => {
    await page.goto(herald.url);
    await tabTo(page, 'API key or admin token');
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    await expectAllReachable('the tenants');
    await throughDialog('Create tenant', 'Create tenant');
    await throughDialog('Portal link', /^Portal link/);
    await throughDialog('Keys and links', /^Credentials of/);
    await throughDialog('Edit settings', 'Settings for acme');

    await toTab('Event types');
    await page.getByRole('table', { name: 'Event types' }).waitFor();
    await expectAllReachable('the event types');
    await throughDialog('Add event type', 'Add event type');

    await toTab('Health');
    await page.locator('tr[data-tenant="acme"]').waitFor();
    await expectAllReachable('the health page');
    await tabTo(page, 'Search tenants and endpoints');
    await page.keyboard.type('nobody');
    await page.getByText('No tenant matches this search.').waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await tabTo(page, 'Only tenants needing attention');
    await page.keyboard.press('Space');
    await page.locator('tr[data-tenant="acme"]').waitFor();
    // The tenant opens its portal; the way back is a button too.
    await tabTo(page, /^Acme acme$/);
    await page.keyboard.press('Enter');
    await tabTo(page, 'Back to the console');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
  }, 120_000);
});
