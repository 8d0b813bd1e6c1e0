import { useEffect, useId, useState } from 'react';
import type { Api } from '../api/client.js';
import type { OutcomeChart, TenantHealth } from '../api/types.js';
import { Badge, endpointTone } from '../components/Badge.js';
import { BarChart } from '../components/BarChart.js';
import { DataTable } from '../components/DataTable.js';
import { SectionHead } from '../components/SectionHead.js';
import type { MessageKey } from '../i18n/en.js';
import { serverText } from '../i18n/errors.js';
import { useI18n, type I18n } from '../i18n/index.js';
import { useHealth } from './use-health.js';

/** Typing waits this long before it searches, so a word is one request rather than one per letter. */
const SEARCH_DELAY_MS = 300;

/** Delivery health: every tenant a page at a time, each page one request (see use-health.ts). */
export function HealthView({ api, onOpen }: { api: Api; onOpen: (id: string) => void }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [attentionOnly, setAttentionOnly] = useState(false);
  const health = useHealth(api, search, attentionOnly);
  const searchId = useId();
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const percent = (value: number | null) => (value === null ? '—' : `${number(Math.round(value * 1000) / 10)}%`);
  const ms = (value: number | null) => (value === null ? '—' : i18n.ms(value));
  return (
    <section aria-labelledby="health-title">
      <SectionHead id="health-title" title={t('health.title')} onRefresh={health.reload} />
      <p className="muted">{t('health.intro')}</p>
      {health.outcomes && <Outcomes chart={health.outcomes} />}
      <div className="health-filters">
        <div className="field search">
          <label htmlFor={searchId}>{t('health.search')}</label>
          <input id={searchId} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <label className="check">
          <input type="checkbox" checked={attentionOnly} onChange={(e) => setAttentionOnly(e.target.checked)} />
          {t('health.attentionOnly')}
        </label>
      </div>
      <DataTable
        label={t('health.title')}
        state={health}
        empty={t(search.trim() ? 'health.noMatch' : attentionOnly ? 'health.noneNeedAttention' : 'health.empty')}
        rowKey={(row) => row.tenant.id}
        rowAttributes={(row) => ({ 'data-tenant': row.tenant.id })}
        columns={[
          {
            header: t('health.tenant'),
            cell: (row) => (
              <button type="button" className="link" onClick={() => onOpen(row.tenant.id)}>
                <bdi>{row.tenant.name}</bdi> <code dir="ltr">{row.tenant.id}</code>
              </button>
            ),
          },
          { header: t('health.endpoints'), cell: (row) => <EndpointSummary row={row} /> },
          { header: t('health.deliveries'), cell: (row) => <DeliverySummary row={row} /> },
          { header: t('health.attempts'), className: 'nowrap', cell: (row) => number(row.attempts.attempts) },
          { header: t('health.successRate'), className: 'nowrap', cell: (row) => percent(row.attempts.successRate) },
          {
            header: t('health.latency'),
            className: 'nowrap',
            cell: (row) => t('health.latencyValue', { avg: ms(row.attempts.avgLatencyMs), max: ms(row.attempts.maxLatencyMs) }),
          },
        ]}
      />
    </section>
  );
}

function Outcomes({ chart }: { chart: OutcomeChart }) {
  const { t, number } = useI18n();
  return (
    <div className="health-chart">
      <h2>{t('health.chartTitle')}</h2>
      <BarChart
        bars={chart.buckets.map((b) => ({ start: Date.parse(b.start), parts: [{ kind: 'succeeded', value: b.succeeded }, { kind: 'failed', value: b.failed }, { kind: 'pending', value: b.pending }] }))}
        from={chart.from}
        to={chart.to}
        bucketMs={chart.bucketMs}
        label={t('health.chartLabel', { succeeded: chart.totals.succeeded, failed: chart.totals.failed, pending: chart.totals.pending })}
        legend={[
          { kind: 'succeeded', text: t('health.legendSucceeded', { count: number(chart.totals.succeeded) }) },
          { kind: 'failed', text: t('health.legendFailed', { count: number(chart.totals.failed) }) },
          { kind: 'pending', text: t('health.legendPending', { count: number(chart.totals.pending) }) },
        ]}
      />
    </div>
  );
}

/** How many endpoints, flags for the disabled, unverified and failing ones, and which they are. */
function EndpointSummary({ row }: { row: TenantHealth }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { endpoints } = row;
  if (endpoints.total === 0) return <span className="muted">{t('health.noEndpoints')}</span>;
  return (
    <div className="health-endpoints">
      <span>
        {t('health.endpointCount', { count: endpoints.total })}{' '}
        {endpoints.disabled > 0 && <Badge tone="bad">{t('health.disabledCount', { count: endpoints.disabled })}</Badge>}{' '}
        {endpoints.unverified > 0 && <Badge tone="warn">{t('health.unverifiedCount', { count: endpoints.unverified })}</Badge>}{' '}
        {endpoints.failing > 0 && <Badge tone="warn">{t('health.failingCount', { count: endpoints.failing })}</Badge>}
      </span>
      {row.attention.length > 0 && (
        <ul className="attention" aria-label={t('health.attention')}>
          {row.attention.map((endpoint) => (
            <li key={endpoint.id}>
              <span className="mono url small" dir="ltr">
                {endpoint.url}
              </span>
              {endpoint.status === 'active' ? <Badge tone="warn">{t('health.failing')}</Badge> : <Badge tone={endpointTone(endpoint.status)}>{t(`status.${endpoint.status}` as MessageKey)}</Badge>}
              <span className="muted small">{attentionDetail(i18n, endpoint)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function attentionDetail(i18n: I18n, endpoint: TenantHealth['attention'][number]): string {
  if (endpoint.status !== 'active' && endpoint.disabledReason) return serverText(i18n, endpoint.disabledReason);
  return endpoint.consecutiveFailures > 0 ? i18n.t('endpoints.failures', { count: endpoint.consecutiveFailures }) : '';
}

function DeliverySummary({ row }: { row: TenantHealth }) {
  const { t, number } = useI18n();
  const { pending, failed, dead } = row.deliveries;
  if (pending + failed + dead === 0) return <span className="muted">{t('health.nothingWaiting')}</span>;
  return (
    <dl className="counts">
      <dt>{t('dstatus.pending')}</dt>
      <dd>{number(pending)}</dd>
      <dt>{t('dstatus.failed')}</dt>
      <dd className={failed > 0 ? 'warn-text' : undefined}>{number(failed)}</dd>
      <dt>{t('dstatus.dead')}</dt>
      <dd className={dead > 0 ? 'error' : undefined}>{number(dead)}</dd>
    </dl>
  );
}
