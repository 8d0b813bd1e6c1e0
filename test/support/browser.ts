import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { dashboardDir } from '../../src/api/dashboard.js';
import { adminCall, removeDir, startTestHerald, type TestHerald } from './herald.js';
import { Receiver } from './receiver.js';

/** Headless Chromium for the dashboard's browser tests (playwright-core drives /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const SCREENSHOTS = process.env.HERALD_SCREENSHOTS === '1' ? join(import.meta.dirname, '../../docs/screenshots') : null;

/** With HERALD_SCREENSHOTS=1, writes docs/screenshots/<name>.png (the whole page); else nothing. */
export async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** How wide the page's content is: more than the viewport means it scrolls sideways. */
export const pageWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);

/** What most browser tests run against: a Herald, Chromium and a loopback receiver. */
export interface DashboardRig {
  herald: TestHerald;
  browser: Browser;
  receiver: Receiver;
  /** An admin API call to the rig's Herald. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * Starts the rig before the file's tests (then runs `setup`, e.g. to seed tenants) and stops
 * it after them. Its fields are set once `beforeAll` has run: read them inside tests.
 */
export function useDashboardRig(setup?: (rig: DashboardRig) => Promise<void>, timeoutMs = 30_000): DashboardRig {
  const rig = { api: (method: string, path: string, body?: unknown) => adminCall(rig.herald, method, path, body) } as DashboardRig;
  beforeAll(async () => {
    if (!dashboardDir()) throw new Error('the dashboard is not built: run `npm run build` first');
    [rig.herald, rig.browser, rig.receiver] = await Promise.all([startTestHerald(), launchChromium(), Receiver.start()]);
    await setup?.(rig);
  }, timeoutMs);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.herald?.stop();
    await rig.receiver?.close();
    if (rig.herald) removeDir(rig.herald.dir);
  });
  return rig;
}
