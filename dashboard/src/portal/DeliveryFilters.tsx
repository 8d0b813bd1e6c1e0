import { useId } from 'react';
import type { Endpoint, EventType } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import { Select } from '../components/Select.js';
import { toIso } from './MoreActions.js';
import { typeOptions } from './SendTestDialog.js';

export interface Filters {
  eventType: string;
  outcome: string;
  endpointId: string;
  from: string;
  to: string;
}
export const NO_FILTERS: Filters = { eventType: '', outcome: '', endpointId: '', from: '', to: '' };

export const filtersQuery = (filters: Filters) => ({ ...filters, from: toIso(filters.from), to: toIso(filters.to) });

export function DeliveryFilters({ catalog, endpoints, value, onChange }: { catalog: EventType[]; endpoints: Endpoint[]; value: Filters; onChange: (value: Filters) => void }) {
  const { t } = useI18n();
  const base = useId();
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => onChange({ ...value, [key]: e.target.value });
  const select = (key: keyof Filters, label: string, options: { value: string; label: string }[]) => (
    <Select label={label} value={value[key]} onChange={(next) => onChange({ ...value, [key]: next })} options={options} any={t('deliveries.any')} />
  );
  const date = (key: 'from' | 'to', label: string) => (
    <div className="field">
      <label htmlFor={`${base}-${key}`}>{label}</label>
      <input id={`${base}-${key}`} type="datetime-local" value={value[key]} onChange={set(key)} />
    </div>
  );
  return (
    <fieldset className="filters">
      <legend>{t('deliveries.filters')}</legend>
      {select('eventType', t('deliveries.eventType'), typeOptions(catalog))}
      {select('outcome', t('deliveries.outcome'), (['succeeded', 'failed', 'pending'] as const).map((o) => ({ value: o, label: t(`outcome.${o}`) })))}
      {select('endpointId', t('deliveries.endpoint'), endpoints.map((endpoint) => ({ value: endpoint.id, label: endpoint.url })))}
      {date('from', t('deliveries.from'))}
      {date('to', t('deliveries.to'))}
    </fieldset>
  );
}
