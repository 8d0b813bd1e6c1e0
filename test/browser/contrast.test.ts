import { describe, expect, it } from 'vitest';
import { useDashboardRig } from '../support/browser.js';
import { contrastProblems } from '../support/contrast.js';
import { CONSOLE, openConsole, openPortal, PORTAL, seedDashboard, visitEach } from '../support/dashboard-pages.js';

/**
 * WCAG AA contrast on every page and dialog, measured from the colours the browser computed:
 * body and muted text, badges, links, placeholders and column labels at 4.5:1, control borders
 * and focus rings at 3:1, and no focus ring cut off. The dashboard has one (light) theme; both
 * languages, at 1280 px and 390 px.
 */
const rig = useDashboardRig((rig) => seedDashboard(rig.herald, rig.receiver), 60_000);

describe.each([1280, 390])('contrast at %i px', (width) => {
  for (const [part, visits, start] of [
    ['portal', PORTAL, (page: Parameters<typeof openPortal>[1]) => openPortal(rig.herald, page)],
    ['console', CONSOLE, (page: Parameters<typeof openConsole>[1]) => openConsole(rig.herald, page)],
  ] as const) {
    it.each(['en', 'ar'] as const)(`every page of the ${part} in %s meets AA`, async (lang) => {
      const context = await rig.browser.newContext();
      try {
        expect(await visitEach(context, { width, lang, start, visits }, (page) => contrastProblems(page))).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
