import { CopyField } from '../components/CopyField.js';
import { useLoaded } from '../components/use-paged.js';
import type { Endpoint } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import type { PortalData } from './Portal.js';

/**
 * How the endpoint's deliveries are signed. A key-pair endpoint (ed25519) shows its public key,
 * which is no secret; a shared secret is never shown again after creation or rotation.
 */
export function SigningFacts({ data, endpoint }: { data: PortalData; endpoint: Endpoint }) {
  const { t } = useI18n();
  // The public-key route answers 409 for a shared secret: that answer is the scheme's kind.
  const publicKey = useLoaded(
    () => (endpoint.signed ? data.api<{ publicKey: string }>('GET', `${data.base}/endpoints/${endpoint.id}/public-key`).catch(() => null) : Promise.resolve(null)),
    [data.api, data.base, endpoint.id, endpoint.signed, endpoint.updatedAt],
  );
  const kind = !endpoint.signed ? 'signing.unsigned' : publicKey.value ? 'signing.keyPair' : 'signing.sharedSecret';
  return (
    <>
      <dt>{t('signing.label')}</dt>
      <dd>
        {t(kind)}
        {publicKey.value && <CopyField label={t('publicKey.label')} value={publicKey.value.publicKey} />}
      </dd>
      {endpoint.signed && (
        <>
          <dt>{t('rotation.label')}</dt>
          <dd>
            <RotationState endpoint={endpoint} keyPair={Boolean(publicKey.value)} />
          </dd>
        </>
      )}
    </>
  );
}

/**
 * Where a rotation stands: during its grace period the replaced secret (or key) still signs,
 * until the time shown; after it, or after a rotation without one, only the current one does.
 */
function RotationState({ endpoint, keyPair }: { endpoint: Endpoint; keyPair: boolean }) {
  const { t, date, relative } = useI18n();
  const ends = endpoint.previousSecretExpiresAt;
  if (!ends) return <>{t('rotation.none')}</>;
  const at = <time dateTime={ends}>{date(ends)}</time>;
  if (Date.parse(ends) <= Date.now()) return <>{t('rotation.ended')} {at}</>;
  return (
    <span className="warn-text">
      {t(keyPair ? 'rotation.graceKey' : 'rotation.graceSecret')} {at} ({relative(ends)})
    </span>
  );
}
