import type { Lang } from '../i18n/index.js';

export interface LinkParts {
  token: string | null;
  lang: Lang | null;
}

/**
 * A portal link carries `#token=…&lang=en|ar` in its fragment (never the query, so the token
 * reaches no server log). Read it once at start and take it out of the address bar.
 */
export function takeLink(): LinkParts {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  const lang = params.get('lang');
  if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
  return { token: token || null, lang: lang === 'ar' || lang === 'en' ? lang : null };
}

/** `/portal` is the embeddable tenant portal; the console lives at `/` and is never framed. */
export const onPortalPage = () => window.location.pathname.replace(/\/+$/, '') === '/portal';

const TOKEN_KEY = 'herald.token';

/** The token lasts for this tab only. A framed page may be denied storage: it then lasts for the page. */
export const tokenStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage denied: memory only */
    }
  },
};
