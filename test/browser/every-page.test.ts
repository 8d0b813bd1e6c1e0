import { describe, expect, it } from 'vitest';
import { pageWidth, shot, useDashboardRig } from '../support/browser.js';
import { CONSOLE, openConsole, openPortal, PORTAL, seedDashboard, visitEach } from '../support/dashboard-pages.js';

/**
 * Every page of the portal and the console, in both languages, at 1280 px and at 390 px (a
 * phone): each renders its content and none scrolls sideways. With HERALD_SCREENSHOTS=1 the
 * pages are written to docs/screenshots/ as they are visited.
 */
const rig = useDashboardRig((rig) => seedDashboard(rig.herald, rig.receiver), 60_000);

describe.each([1280, 390])('every page at %i px', (width) => {
  for (const [part, visits, start] of [
    ['portal', PORTAL, (page: Parameters<typeof openPortal>[1]) => openPortal(rig.herald, page)],
    ['console', CONSOLE, (page: Parameters<typeof openConsole>[1]) => openConsole(rig.herald, page)],
  ] as const) {
    it.each(['en', 'ar'] as const)(`the ${part} in %s renders each page without sideways scrolling`, async (lang) => {
      const context = await rig.browser.newContext();
      try {
        const wide = await visitEach(context, { width, lang, start, visits }, async (page, visit) => {
          const scrollWidth = await pageWidth(page);
          await shot(page, `${width < 500 ? 'mobile-' : ''}${visit.name}-${lang}`);
          return scrollWidth > width ? [`${scrollWidth} px wide`] : [];
        });
        expect(wide).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
