import type { Page } from 'playwright-core';

/**
 * Driving the dashboard with the keyboard only. The page-side parts are strings: the root
 * tsconfig has no DOM library, and these run inside the page.
 */

export interface Focus {
  /** The mark `markControls` gave the element, if any. */
  mark: string | null;
  /** Its accessible name as a user hears it: aria-label, label, else its text. */
  name: string;
  /** The title of the open dialog it is in, or null. */
  dialog: string | null;
  inNav: boolean;
  /** Whether a focus indicator is drawn: an outline of at least 2 px. */
  ringShown: boolean;
}

const CONTROLS = `'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'`;

const FOCUS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent : '') || el.textContent || '';
  const dialog = el.closest('dialog[open]');
  const title = dialog && dialog.getAttribute('aria-labelledby') ? document.getElementById(dialog.getAttribute('aria-labelledby')).textContent : null;
  const style = getComputedStyle(el);
  return {
    mark: el.getAttribute('data-kb'),
    name: label.trim().replace(/\\s+/g, ' '),
    dialog: dialog ? (title || 'dialog') : null,
    inNav: Boolean(el.closest('nav')),
    ringShown: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
})()`;

/** The element with the focus; null when it is on the page itself (or outside it). */
export const focused = (page: Page): Promise<Focus | null> => page.evaluate(FOCUS);

/**
 * Marks every visible control a keyboard user should reach (inside the open dialog when there
 * is one: the page behind is inert) and answers their names by mark.
 */
async function markControls(page: Page): Promise<Map<string, string>> {
  const marked: [string, string][] = await page.evaluate(`(() => {
    const scope = document.querySelector('dialog[open]') || document;
    const all = [...scope.querySelectorAll(${CONTROLS})].filter((el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]'));
    document.querySelectorAll('[data-kb]').forEach((el) => el.removeAttribute('data-kb'));
    return all.map((el, i) => {
      el.setAttribute('data-kb', String(i));
      const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent : '') || el.textContent || el.tagName;
      return [String(i), label.trim().replace(/\\s+/g, ' ')];
    });
  })()`);
  return new Map(marked);
}

/**
 * Tabs through the whole screen (or open dialog): answers the controls Tab never reached and
 * those it reached without showing where the focus is.
 */
export async function unreachable(page: Page): Promise<{ missed: string[]; noRing: string[] }> {
  const controls = await markControls(page);
  const reached = new Set<string>();
  const noRing = new Set<string>();
  for (let i = 0; i < controls.size * 3 + 10 && reached.size < controls.size; i++) {
    await page.keyboard.press('Tab');
    const focus = await focused(page);
    if (focus?.mark) {
      reached.add(focus.mark);
      if (!focus.ringShown) noRing.add(focus.name);
    }
  }
  return { missed: [...controls].filter(([mark]) => !reached.has(mark)).map(([, name]) => name), noRing: [...noRing] };
}

/** Presses Tab (or Shift+Tab) until a control whose name matches has the focus; throws past `max`. */
export async function tabTo(page: Page, name: string | RegExp, where: { inNav?: boolean; back?: boolean; max?: number } = {}): Promise<Focus> {
  const matches = (focus: Focus | null): boolean =>
    focus !== null && (typeof name === 'string' ? focus.name === name : name.test(focus.name)) && (where.inNav === undefined || focus.inNav === where.inNav);
  const seen: string[] = [];
  for (let i = 0; i < (where.max ?? 150); i++) {
    const focus = await focused(page);
    if (focus && matches(focus)) return focus;
    seen.push(focus?.name ?? '(page)');
    await page.keyboard.press(where.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${String(name)}; it went through: ${[...new Set(seen)].join(' | ')}`);
}

/** Tabs forward, then back, twice around the open dialog: answers any stop outside it. */
export async function escapesFromDialog(page: Page): Promise<string[]> {
  const controls = await markControls(page);
  const outside: string[] = [];
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < controls.size * 2 + 2; i++) {
      await page.keyboard.press(key);
      const focus = await focused(page);
      if (!focus?.dialog) outside.push(`${key} → ${focus?.name ?? 'the page or the browser'}`);
    }
  }
  return outside;
}
