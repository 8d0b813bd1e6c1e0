import { CopyField } from '../components/CopyField.js';
import { Dialog } from '../components/Dialog.js';
import { useI18n } from '../i18n/index.js';

/** What an endpoint's new key shows, once: the secret, or for ed25519 only its public key. */
export interface ShownKey {
  secret?: string | null | undefined;
  publicKey?: string | undefined;
}

/** A new key after creating an endpoint or rotating its secret. */
export function SecretDialog({ shown, onClose }: { shown: ShownKey; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t(shown.publicKey ? 'publicKey.title' : 'secret.title')} onClose={onClose}>
      {shown.publicKey ? (
        <>
          <p>{t('publicKey.text')}</p>
          <CopyField label={t('publicKey.label')} value={shown.publicKey} />
        </>
      ) : shown.secret ? (
        <>
          <p className="warn-text">{t('secret.once')}</p>
          <CopyField label={t('secret.label')} value={shown.secret} />
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
