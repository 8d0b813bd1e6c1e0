import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ar } from './ar.js';
import { en, type MessageKey, type Messages } from './en.js';

export type Lang = 'en' | 'ar';
const CATALOGS: Record<Lang, Messages> = { en, ar };
const STORAGE_KEY = 'herald.lang';

export interface I18n {
  lang: Lang;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  setLang(lang: Lang): void;
  date(value: string | Date | null | undefined): string;
  number(value: number): string;
}

const Context = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'ar' ? 'ar' : 'en';
  } catch {
    return 'en';
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = CATALOGS[lang]['app.title'];
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const messages = CATALOGS[lang];
    const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
    const numbers = new Intl.NumberFormat(lang);
    return {
      lang,
      t: (key, vars) =>
        messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
          const v = vars?.[name];
          return v === undefined ? whole : typeof v === 'number' ? numbers.format(v) : v;
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
