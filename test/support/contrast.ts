import type { Page } from 'playwright-core';

/**
 * WCAG 2.1 AA contrast of what is on screen, measured from computed colours: text 4.5:1 (3:1
 * when large), control boundaries and focus rings 3:1 against what is behind them (1.4.3,
 * 1.4.11), and focus rings not cut off by a scrolling ancestor. Runs inside the page (a string:
 * the root tsconfig has no DOM library); answers one line per problem.
 */
const AUDIT = `(() => {
  const problems = [];
  const parse = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (x, y) => { const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  /** The colour behind an element: its own background and its ancestors', composited on white. */
  const behind = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    return layers.reverse().reduce((base, layer) => over(layer, base), { r: 255, g: 255, b: 255, a: 1 });
  };
  const scope = document.querySelector('dialog[open]') || document.body;
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) && !el.closest('[inert]');
  const describe = (el) => (el.getAttribute('aria-label') || el.textContent || el.getAttribute('placeholder') || el.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40);
  const check = (what, el, fg, bg, min) => {
    const r = ratio(fg, bg);
    if (r < min) problems.push(what + ' "' + describe(el) + '": ' + hex(fg) + ' on ' + hex(bg) + ' = ' + r.toFixed(2) + ':1 (needs ' + min + ':1)');
  };

  // Text: every element with text of its own, disabled controls aside (WCAG exempts them).
  for (const el of scope.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'svg'].includes(el.tagName) || !shown(el) || el.closest(':disabled')) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    const bg = behind(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (own) check('text', el, over(parse(style.color), bg), bg, large ? 3 : 4.5);
    // Below 640 px a table cell shows its column's name before its value (data-table in styles.css).
    if (el.matches('td[data-label]') && getComputedStyle(el, '::before').content.startsWith('attr(')) {
      check('column label', el, over(parse(getComputedStyle(el, '::before').color), bg), bg, 4.5);
    }
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value) {
      check('placeholder', el, over(parse(getComputedStyle(el, '::placeholder').color), bg), bg, 4.5);
    }
  }

  // Control boundaries: outlined controls by their border, filled ones by their fill.
  for (const el of scope.querySelectorAll('button, input:not([type=checkbox]):not([type=radio]), select, textarea')) {
    if (!shown(el) || el.disabled || el.matches('.ghost, .link, .tab')) continue;
    const style = getComputedStyle(el);
    const around = behind(el.parentElement);
    const fill = parse(style.backgroundColor);
    const filled = fill && fill.a > 0 && ratio(over(fill, around), around) >= 1.1;
    if (filled) check('control fill', el, over(fill, around), around, 3);
    else check('control border', el, over(parse(style.borderTopColor), around), around, 3);
  }

  // Focus rings: each control focused in turn (keyboard modality: the caller pressed a key first).
  const controls = [...scope.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary')].filter(shown);
  for (const el of controls) {
    el.focus();
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth);
    if (style.outlineStyle === 'none' || width < 2) { problems.push('focus ring "' + describe(el) + '": none drawn'); continue; }
    const offset = parseFloat(style.outlineOffset);
    const inside = offset + width <= 0;
    check('focus ring', el, parse(style.outlineColor), inside ? behind(el) : behind(el.parentElement), 3);
    if (inside) continue;
    const box = el.getBoundingClientRect();
    const reach = offset + width;
    for (let n = el.parentElement; n && n !== document.body && n !== document.documentElement; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const clip = n.getBoundingClientRect();
      const [l, t, r, b] = [clip.left + n.clientLeft, clip.top + n.clientTop, clip.left + n.clientLeft + n.clientWidth, clip.top + n.clientTop + n.clientHeight];
      if (box.left - reach < l - 0.5 || box.top - reach < t - 0.5 || box.right + reach > r + 0.5 || box.bottom + reach > b + 0.5) {
        problems.push('focus ring "' + describe(el) + '": cut off by a scrolling ' + n.tagName.toLowerCase() + (n.className ? '.' + String(n.className).split(' ')[0] : ''));
        break;
      }
    }
  }
  document.activeElement && document.activeElement.blur && document.activeElement.blur();
  return [...new Set(problems)];
})()`;

/** Every contrast problem of the current screen (or its open dialog). */
export async function contrastProblems(page: Page): Promise<string[]> {
  // Programmatic focus draws :focus-visible rings only after keyboard use.
  await page.keyboard.press('Shift');
  return page.evaluate(AUDIT);
}
