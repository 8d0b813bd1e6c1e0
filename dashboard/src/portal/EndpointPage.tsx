import { useState } from 'react';
import { query } from '../api/client.js';
import type { Delivery, Endpoint, TenantStats } from '../api/types.js';
import { Badge, endpointTone } from '../components/Badge.js';
import { BarChart } from '../components/BarChart.js';
import { DataTable } from '../components/DataTable.js';
import { ErrorLine } from '../components/Feedback.js';
import { useLoaded, usePaged } from '../components/use-paged.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { LastAttempt } from './DeliveriesView.js';
import { FilterTester } from './FilterTester.js';
import { SigningFacts } from './SigningFacts.js';
import type { PortalData, PortalPlace } from './Portal.js';

const RANGES = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
type Range = keyof typeof RANGES;

/** One endpoint in full: how it has done over a chosen range, its recent failures, its settings and a filter tester. */
export function EndpointPage({ data, endpoint, go }: { data: PortalData; endpoint: Endpoint; go: (place: PortalPlace) => void }) {
  const i18n = useI18n();
  const { t, number, date } = i18n;
  const [range, setRange] = useState<Range>('24h');
  const stats = useLoaded(() => {
    const to = new Date();
    return data.api<TenantStats>('GET', `${data.base}/stats${query({ from: new Date(to.getTime() - RANGES[range]).toISOString(), to: to.toISOString() })}`);
  }, [data.api, data.base, range]);
  const failures = usePaged<Delivery>(data.api, `${data.base}/deliveries${query({ endpointId: endpoint.id, outcome: 'failed' })}`, 5);
  const mine = stats.value?.endpoints.find((item) => item.endpointId === endpoint.id);
  const rate = mine?.totals.successRate;
  return (
    <section aria-labelledby="endpoint-title" className="endpoint-page">
      <button type="button" className="link" onClick={() => go({ tab: 'endpoints' })}>
        {t('endpoint.back')}
      </button>
      <div className="section-head">
        <h1 id="endpoint-title" className="url mono" dir="ltr">
          {endpoint.url}
        </h1>
        <Badge tone={endpointTone(endpoint.status)}>{t(`status.${endpoint.status}` as MessageKey)}</Badge>
      </div>
      <div className="range" role="group" aria-label={t('endpoint.range')}>
        {(Object.keys(RANGES) as Range[]).map((key) => (
          <button key={key} type="button" aria-pressed={range === key} onClick={() => setRange(key)}>
            {t(`endpoint.range.${key}` as MessageKey)}
          </button>
        ))}
      </div>
      <ErrorLine error={stats.error} />
      {!stats.value && !stats.error && (
        <p aria-busy="true" className="muted">
          {t('common.loading')}
        </p>
      )}
      {stats.value && (
        <>
          <p>{rate === null || rate === undefined ? t('endpoint.noTraffic') : t('endpoint.summary', { rate: number(Math.round(rate * 1000) / 10), attempts: mine!.totals.attempts, ms: i18n.ms(Math.round(mine!.totals.avgLatencyMs ?? 0)) })}</p>
          <h2>{t('endpoint.outcomesTitle')}</h2>
          <BarChart
            bars={(mine?.buckets ?? []).map((b) => ({ start: Date.parse(b.start), parts: [{ kind: 'succeeded', value: b.succeeded }, { kind: 'failed', value: b.attempts - b.succeeded }] }))}
            from={stats.value.from}
            to={stats.value.to}
            bucketMs={stats.value.bucketMs}
            label={t('endpoint.chartLabel', { attempts: mine?.totals.attempts ?? 0, succeeded: mine?.totals.succeeded ?? 0 })}
            legend={[
              { kind: 'succeeded', text: t('endpoint.legendSucceeded') },
              { kind: 'failed', text: t('endpoint.legendFailed') },
            ]}
          />
          <h2>{t('endpoint.latencyTitle')}</h2>
          <BarChart
            bars={(mine?.buckets ?? []).map((b) => ({ start: Date.parse(b.start), parts: [{ kind: 'latency', value: b.avgLatencyMs ?? 0 }] }))}
            from={stats.value.from}
            to={stats.value.to}
            bucketMs={stats.value.bucketMs}
            label={t('endpoint.latencyLabel', { ms: i18n.ms(Math.round(mine?.totals.avgLatencyMs ?? 0)) })}
            legend={[{ kind: 'latency', text: t('endpoint.legendLatency') }]}
          />
        </>
      )}
      <h2>{t('endpoint.settings')}</h2>
      <dl className="facts">
        <dt>{t('endpoint.rateLimit')}</dt>
        <dd>{endpoint.rateLimitPerSecond ? t('endpoint.perSecond', { n: endpoint.rateLimitPerSecond }) : t('common.none')}</dd>
        <dt>{t('endpoint.inFlight')}</dt>
        <dd>{endpoint.maxInFlight ? i18n.number(endpoint.maxInFlight) : t('endpoint.inFlightDefault')}</dd>
        <dt>{t('endpoint.ordering')}</dt>
        <dd>{t(endpoint.ordering === 'fifo' ? 'endpoint.fifo' : 'endpoint.unordered')}</dd>
        <dt>{t('endpoint.headers')}</dt>
        {Object.keys(endpoint.headers).length === 0 ? (
          <dd>{t('common.none')}</dd>
        ) : (
          <dd className="mono headers" dir="ltr">
            {Object.entries(endpoint.headers).map(([name, value]) => `${name}: ${value}`).join('\n')}
          </dd>
        )}
        <SigningFacts data={data} endpoint={endpoint} />
        <dt>{t('deliveries.created')}</dt>
        <dd>{date(endpoint.createdAt)}</dd>
      </dl>
      <h2>{t('endpoint.recentFailures')}</h2>
      <DataTable
        label={t('endpoint.recentFailures')}
        state={{ ...failures, loadMore: undefined }}
        empty={t('endpoint.noFailures')}
        rowKey={(d) => d.id}
        columns={[
          { header: t('deliveries.eventType'), cell: (d) => <code dir="ltr">{d.eventType}</code> },
          { header: t('deliveries.lastAttempt'), cell: (d) => <LastAttempt delivery={d} /> },
          { header: t('deliveries.created'), cell: (d) => date(d.createdAt) },
          {
            header: t('deliveries.open'),
            cell: (d) => (
              <button type="button" className="small-button" onClick={() => go({ tab: 'deliveries', endpointId: endpoint.id, deliveryId: d.id })}>
                {t('deliveries.open')}
              </button>
            ),
          },
        ]}
      />
      <FilterTester data={data} endpoint={endpoint} />
    </section>
  );
}
