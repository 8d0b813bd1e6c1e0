import { useState } from 'react';
import type { Api } from '../api/client.js';
import { Shell, type Tab } from '../components/Shell.js';
import { useI18n } from '../i18n/index.js';
import { Portal } from '../portal/Portal.js';
import { EndpointAlerts } from './EndpointAlerts.js';
import { EventTypesView } from './EventTypesView.js';
import { HealthView } from './HealthView.js';
import { OperatorView } from './OperatorView.js';
import { TenantsView } from './TenantsView.js';

type ConsoleTab = 'tenants' | 'eventTypes' | 'health' | 'operator';
const TABS: Tab<ConsoleTab>[] = [
  { key: 'tenants', label: 'tabs.tenants' },
  { key: 'eventTypes', label: 'tabs.eventTypes' },
  { key: 'health', label: 'tabs.health' },
  { key: 'operator', label: 'tabs.operator' },
];

export function Console({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<ConsoleTab>('tenants');
  const [viewing, setViewing] = useState<string | null>(null);
  if (viewing) return <Portal api={api} tenantId={viewing} onSignOut={onSignOut} onBack={() => setViewing(null)} />;
  return (
    <Shell context={t('console.title')} tabs={TABS} tab={tab} onTab={setTab} onSignOut={onSignOut}>
      <EndpointAlerts api={api} onOpen={setViewing} />
      {tab === 'tenants' && <TenantsView api={api} onOpen={setViewing} />}
      {tab === 'eventTypes' && <EventTypesView api={api} />}
      {tab === 'health' && <HealthView api={api} onOpen={setViewing} />}
      {tab === 'operator' && <OperatorView api={api} />}
    </Shell>
  );
}
