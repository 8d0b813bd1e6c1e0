import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n/en.js';
import { LanguageButton, useI18n } from '../i18n/index.js';
import { useBrand } from './brand.js';

export interface Tab<K extends string> {
  key: K;
  label: MessageKey;
}

/** The frame of every signed-in screen: brand, context line, tabs, language and sign-out. */
export function Shell<K extends string>(props: {
  context: string;
  tabs: Tab<K>[];
  tab: K;
  onTab: (key: K) => void;
  onSignOut: () => void;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="shell">
      <TopBar context={props.context}>
        {props.extra}
        <LanguageButton />
        <button type="button" className="ghost" onClick={props.onSignOut}>
          {t('common.signOut')}
        </button>
      </TopBar>
      <nav className="tabs" aria-label={t('common.main')}>
        {props.tabs.map((item) => (
          <button key={item.key} type="button" className="tab" aria-current={item.key === props.tab ? 'page' : undefined} onClick={() => props.onTab(item.key)}>
            {t(item.label)}
          </button>
        ))}
      </nav>
      <main className="content">{props.children}</main>
    </div>
  );
}

/** The brand (the product's own name inside its portal) and the page's actions. */
export function TopBar({ context, children }: { context: string; children: ReactNode }) {
  const { t } = useI18n();
  const brand = useBrand();
  return (
    <header className="topbar">
      <div className="brand">
        <strong dir="auto">{brand.name ?? t('app.title')}</strong> <bdi className="muted">{context}</bdi>
      </div>
      <div className="topbar-actions">{children}</div>
    </header>
  );
}
