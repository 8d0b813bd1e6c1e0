import type { ReactNode } from 'react';
import type { MessageKey } from './i18n/en.js';
import { LanguageButton, useI18n } from './i18n/index.js';

export interface Tab<K extends string> {
  key: K;
  label: MessageKey;
}

/** The frame of every signed-in screen: brand, context line, tabs, language and sign-out. */
export function Shell<K extends string>({
  context,
  tabs,
  tab,
  onTab,
  onSignOut,
  extra,
  children,
}: {
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
      <header className="topbar">
        <div className="brand">
          <strong>{t('app.title')}</strong> <span className="muted">{context}</span>
        </div>
        <div className="topbar-actions">
          {extra}
          <LanguageButton />
          <button type="button" className="ghost" onClick={onSignOut}>
            {t('common.signOut')}
          </button>
        </div>
      </header>
      <nav className="tabs" aria-label={t('common.main')}>
        {tabs.map((item) => (
          <button key={item.key} type="button" className="tab" aria-current={item.key === tab ? 'page' : undefined} onClick={() => onTab(item.key)}>
            {t(item.label)}
          </button>
        ))}
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'bad' | 'warn' | 'idle'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export const endpointTone = (status: string) => (status === 'active' ? 'ok' : status === 'disabled' || status === 'verification_failed' ? 'bad' : 'warn');
export const deliveryTone = (status: string) =>
  status === 'succeeded' ? 'ok' : status === 'failed' || status === 'dead' ? 'bad' : status === 'canceled' ? 'idle' : 'warn';
