import { useState } from 'react';
import { query } from '../api/client.js';
import type { Delivery, Endpoint } from '../api/types.js';
import { Badge, deliveryTone } from '../components/Badge.js';
import { SectionHead } from '../components/SectionHead.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { usePaged } from '../components/use-paged.js';
import type { MessageKey } from '../i18n/en.js';
import { serverText } from '../i18n/errors.js';
import { useI18n, type I18n } from '../i18n/index.js';
import { DeliveryDialog } from './DeliveryDialog.js';
import { DeliveryFilters, filtersQuery, NO_FILTERS, type Filters } from './DeliveryFilters.js';
import type { PortalData, PortalPlace } from './Portal.js';

/** Deliveries that wait on an endpoint that is not active are paused, whatever their next-attempt time says. */
export function nextAttemptText(i18n: I18n, delivery: Delivery, endpoint: Endpoint | undefined): string {
  const waiting = delivery.status === 'pending' || delivery.status === 'delivering';
  if (!waiting) return '—';
  if (endpoint && endpoint.status !== 'active') return i18n.t(endpoint.status === 'disabled' ? 'delivery.pausedDisabled' : 'delivery.pausedUnverified');
  return delivery.nextAttemptAt ? i18n.relative(delivery.nextAttemptAt) : '—';
}

/** The latest attempt's HTTP status (or why there was none) and how long it took. */
export function LastAttempt({ delivery }: { delivery: Delivery }) {
  const i18n = useI18n();
  const last = delivery.lastAttempt;
  if (!last) return <span className="muted">{i18n.t('deliveries.notTried')}</span>;
  const ok = last.statusCode !== null && last.statusCode >= 200 && last.statusCode < 300;
  return (
    <span className="last-attempt">
      <span className="nowrap">
        <Badge tone={ok ? 'ok' : 'bad'}>{last.statusCode ?? i18n.t('delivery.noResponse')}</Badge> {i18n.ms(last.durationMs)}
      </span>
      {last.statusCode === null && last.error && (
        <span className="muted small">
          {' '}
          <bdi>{serverText(i18n, last.error)}</bdi>
        </span>
      )}
    </span>
  );
}

export function DeliveriesView({ data, place, go }: { data: PortalData; place: PortalPlace; go: (place: PortalPlace) => void }) {
  const i18n = useI18n();
  const { t, number, date } = i18n;
  const [filters, setFilters] = useState<Filters>({ ...NO_FILTERS, endpointId: place.endpointId ?? '' });
  const list = usePaged<Delivery>(data.api, `${data.base}/deliveries${query(filtersQuery(filters))}`, 25);
  const endpointOf = (id: string) => data.endpoints?.find((endpoint) => endpoint.id === id);
  const filtered = Object.values(filters).some(Boolean);
  const columns: Column<Delivery>[] = [
    { header: t('deliveries.status'), cell: (d) => <Badge tone={deliveryTone(d.status)}>{t(`dstatus.${d.status}` as MessageKey)}</Badge> },
    {
      header: t('deliveries.eventType'),
      cell: (d) => (
        <>
          <code dir="ltr">{d.eventType}</code> {d.isTest && <Badge tone="idle">{t('deliveries.test')}</Badge>}
        </>
      ),
    },
    { header: t('deliveries.endpoint'), cell: (d) => <span className="mono small url" dir="ltr">{endpointOf(d.endpointId)?.url ?? d.endpointId}</span> },
    { header: t('deliveries.lastAttempt'), cell: (d) => <LastAttempt delivery={d} /> },
    { header: t('deliveries.attempts'), className: 'nowrap', cell: (d) => t('deliveries.nOfM', { n: number(d.attemptCount), m: number(d.maxAttempts) }) },
    { header: t('delivery.nextAttempt'), cell: (d) => nextAttemptText(i18n, d, endpointOf(d.endpointId)) },
    { header: t('deliveries.created'), cell: (d) => <time dateTime={d.createdAt}>{date(d.createdAt)}</time> },
    {
      header: t('deliveries.open'),
      cell: (d) => (
        <button type="button" className="small-button" aria-label={t('deliveries.openLabel', { type: d.eventType, date: date(d.createdAt) })} onClick={() => go({ ...place, deliveryId: d.id })}>
          {t('deliveries.open')}
        </button>
      ),
    },
  ];
  return (
    <section aria-labelledby="deliveries-title">
      <SectionHead id="deliveries-title" title={t('deliveries.title')} onRefresh={list.reload} />
      <DeliveryFilters catalog={data.catalog} endpoints={data.endpoints ?? []} value={filters} onChange={setFilters} />
      {list.items && list.items.length > 0 && (
        <p className="muted small" role="status">
          {t('deliveries.count', { count: list.items.length })}
        </p>
      )}
      <DataTable
        label={t('deliveries.title')}
        state={list}
        empty={t(filtered ? 'deliveries.emptyFiltered' : 'deliveries.empty')}
        columns={columns}
        rowKey={(d) => d.id}
        rowAttributes={(d) => ({ 'data-status': d.status })}
      />
      {place.deliveryId && (
        <DeliveryDialog
          data={data}
          id={place.deliveryId}
          onClose={() => go({ ...place, deliveryId: undefined })}
          onChanged={list.reload}
        />
      )}
    </section>
  );
}
