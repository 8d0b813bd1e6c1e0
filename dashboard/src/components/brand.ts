import { createContext, useContext } from 'react';

/**
 * The portal's branding: the operator's defaults (HERALD_PORTAL_BRAND_*, written into the page
 * by the server as <meta name="herald-brand-…">) overridden by the tenant's settings.portal.
 */
export interface Brand {
  name: string | null;
  color: string | null;
}

export const BrandContext = createContext<Brand>({ name: null, color: null });
export const useBrand = () => useContext(BrandContext);

const meta = (name: string): string | null => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || null;

export const operatorBrand = (): Brand => ({ name: meta('herald-brand-name'), color: meta('herald-brand-color') });

export function mergeBrand(base: Brand, tenant: { brandName?: string | null; brandColor?: string | null } | undefined): Brand {
  return { name: tenant?.brandName || base.name, color: tenant?.brandColor || base.color };
}

/**
 * Primary buttons take the brand colour as given, as their background; their text is black or
 * white, whichever contrasts more (WCAG relative luminance), so any brand colour stays readable.
 */
export function applyBrandColor(color: string | null): void {
  const root = document.documentElement.style;
  if (!color || !/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
    root.removeProperty('--brand');
    root.removeProperty('--brand-text');
    return;
  }
  root.setProperty('--brand', color);
  root.setProperty('--brand-text', luminance(color) > 0.179 ? '#000' : '#fff');
}

function luminance(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((d) => {
    const c = parseInt(d, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
