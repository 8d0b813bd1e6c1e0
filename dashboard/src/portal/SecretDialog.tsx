import { CopyField } from '../components/CopyField.js';
import { Dialog } from '../components/Dialog.js';
import { useI18n } from '../i18n/index.js';

/** A new secret, shown once: after creating an endpoint or rotating its secret. */
export function SecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('secret.title')} onClose={onClose}>
      {secret ? (
        <>
          <p className="warn-text">{t('secret.once')}</p>
          <CopyField label={t('secret.label')} value={secret} />
        </>
      ) : (
        <p>{t('secret.unsigned')}</p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}
