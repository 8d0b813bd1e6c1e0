import type { ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';

/** A view's title with its actions; `onRefresh` adds the Refresh button. */
export function SectionHead({ id, title, onRefresh, children }: { id: string; title: string; onRefresh?: () => void; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="section-head">
      <h1 id={id}>{title}</h1>
      {onRefresh && (
        <button type="button" onClick={onRefresh}>
          {t('common.refresh')}
        </button>
      )}
      {children}
    </div>
  );
}
