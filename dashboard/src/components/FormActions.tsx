import { useI18n } from '../i18n/index.js';

/** A form's submit button (the main action) and Cancel. */
export function FormActions({ label, busy, onCancel, danger }: { label: string; busy?: boolean; onCancel: () => void; danger?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="actions">
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
        {label}
      </button>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
