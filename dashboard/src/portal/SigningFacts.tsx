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
    </>
  );
}
