import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ar } from './ar.js';
import { en, type MessageKey, type Messages } from './en.js';

export type Lang = 'en' | 'ar';
const CATALOGS: Record<Lang, Messages> = { en, ar };
const STORAGE_KEY = 'herald.lang';

export interface I18n {
  lang: Lang;
  catalog: Messages;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  setLang(lang: Lang): void;
  date(value: string | Date | null | undefined): string;
  number(value: number): string;
  /** A duration, `123 ms` in every view. */
  ms(value: number): string;
  /** `in 5 min` / `3 h ago`. */
  relative(value: string | null | undefined): string;
}

const Context = createContext<I18n | null>(null);

/** A `lang` given by the link wins over the last choice on this browser. */
function initialLang(fromLink: Lang | null): Lang {
  if (fromLink) return fromLink;
  try {
    return localStorage.getItem(STORAGE_KEY) === 'ar' ? 'ar' : 'en';
  } catch {
    return 'en';
  }
}

export function I18nProvider({ children, lang: fromLink = null }: { children: ReactNode; lang?: Lang | null }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang(fromLink));
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = CATALOGS[lang]['app.title'];
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const messages = CATALOGS[lang];
    const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
    const numbers = new Intl.NumberFormat(lang);
    const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' });
    return {
      lang,
      catalog: messages,
      t: (key, vars) =>
        messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
          const v = vars?.[name];
          // In Arabic a value (a URL, an id, an English name) is isolated (FSI…PDI), so its own
          // direction cannot reorder the sentence around it.
          return v === undefined ? whole : typeof v === 'number' ? numbers.format(v) : lang === 'ar' ? `\u2068${v}\u2069` : v;
        }),
      setLang: (next) => {
        try {
          localStorage.setItem(STORAGE_KEY, next);
        } catch {
          /* private mode: the choice lasts for this page */
        }
        setLangState(next);
      },
      date: (v) => (v ? dates.format(typeof v === 'string' ? new Date(v) : v) : ''),
      number: (n) => numbers.format(n),
      // Isolated left-to-right in Arabic, so "123 ms" never reads "ms 123" inside a sentence.
      ms: (n) => (lang === 'ar' ? `\u2066${messages['common.ms'].replace('{ms}', numbers.format(n))}\u2069` : messages['common.ms'].replace('{ms}', numbers.format(n))),
      relative: (v) => (v ? relativeTime(relative, Date.parse(v) - Date.now()) : ''),
    };
  }, [lang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function LanguageButton() {
  const { t, lang, setLang } = useI18n();
  return (
    <button type="button" className="lang" lang={lang === 'en' ? 'ar' : 'en'} title={t('lang.switchLabel')} onClick={() => setLang(lang === 'en' ? 'ar' : 'en')}>
      {t('lang.switch')}
    </button>
  );
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

function relativeTime(format: Intl.RelativeTimeFormat, deltaMs: number): string {
  for (const [unit, size] of UNITS) {
    if (Math.abs(deltaMs) >= size || unit === 'second') return format.format(Math.round(deltaMs / size), unit);
  }
  return '';
}
