import { useState } from 'react';
import type { TenantStats } from '../api/types.js';
import { Loaded } from '../components/DataTable.js';
import { SectionHead } from '../components/SectionHead.js';
import { useLoaded } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { EndpointCard } from './EndpointCard.js';
import { EndpointForm } from './EndpointForm.js';
import type { PortalData, PortalPlace } from './Portal.js';
import { SecretDialog, type ShownKey } from './SecretDialog.js';

export function EndpointsView({ data, go }: { data: PortalData; go: (place: PortalPlace) => void }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const [shown, setShown] = useState<ShownKey | null>(null);
  // The sparklines are a nicety: without stats the cards still work.
  const stats = useLoaded(() => data.api<TenantStats>('GET', `${data.base}/stats`), [data.api, data.base, data.endpoints]);
  return (
    <section aria-labelledby="endpoints-title">
      <SectionHead id="endpoints-title" title={t('endpoints.title')}>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {t('endpoints.add')}
        </button>
      </SectionHead>
      <Loaded state={{ items: data.endpoints, error: null }} empty={t('endpoints.empty')}>
        {(endpoints) => (
          <ul className="cards">
            {endpoints.map((endpoint) => (
              <EndpointCard key={endpoint.id} data={data} endpoint={endpoint} stats={stats.value} go={go} onSecret={setShown} />
            ))}
          </ul>
        )}
      </Loaded>
      {adding && (
        <EndpointForm
          data={data}
          onClose={() => setAdding(false)}
          onSaved={(created) => {
            setAdding(false);
            if (created) setShown({ secret: created.secret, publicKey: created.publicKey });
            void data.reload();
          }}
        />
      )}
      {shown && <SecretDialog shown={shown} onClose={() => setShown(null)} />}
    </section>
  );
}
