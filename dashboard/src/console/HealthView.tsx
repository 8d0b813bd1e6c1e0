import { useEffect, useId, useState } from 'react';
import type { Api } from '../api/client.js';
import type { OperatorStats, Tenant } from '../api/types.js';
import { Badge, endpointTone } from '../components/Badge.js';
import { BarChart } from '../components/BarChart.js';
import { DataTable } from '../components/DataTable.js';
import { SectionHead } from '../components/SectionHead.js';
import { useLoaded, usePaged } from '../components/use-paged.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { matchesSearch, tenantHealth, worstFirst, type HealthRow } from './health-rows.js';

const TENANTS_PER_PAGE = 25;

export function HealthView({ api, onOpen }: { api: Api; onOpen: (id: string) => void }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const outcomes = useLoaded(() => api<OperatorStats>('GET', '/stats'), [api]);
  const tenants = usePaged<Tenant>(api, '/tenants', TENANTS_PER_PAGE);
  // Rows by tenant id, filled as pages of tenants arrive; a tenant already read is not asked again.
  const [byTenant, setByTenant] = useState<Map<string, HealthRow[]>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  const searchId = useId();
  useEffect(() => {
    const missing = (tenants.items ?? []).filter((tenant) => !byTenant.has(tenant.id));
    if (missing.length === 0) return;
    let live = true;
    Promise.all(missing.map((tenant) => tenantHealth(api, tenant))).then(
      (found) => live && setByTenant((current) => new Map([...current, ...missing.map((tenant, i) => [tenant.id, found[i]!] as const)])),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, tenants.items, byTenant]);
  // While a further page loads, the rows already read stay on screen.
  const read = (tenants.items ?? []).filter((tenant) => byTenant.has(tenant.id));
  const rows = tenants.items && (read.length > 0 || tenants.items.length === 0) ? worstFirst(read.flatMap((tenant) => byTenant.get(tenant.id)!)) : null;
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${number(Math.round(value * 1000) / 10)}%`);
  const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : i18n.ms(Math.round(value)));
  const o = outcomes.value;
  return (
    <section aria-labelledby="health-title">
      <SectionHead id="health-title" title={t('health.title')} onRefresh={() => (setByTenant(new Map()), tenants.reload(), void outcomes.reload())} />
      <p className="muted">{t('health.intro')}</p>
      {o && (
        <BarChart
          bars={o.buckets.map((b) => ({ start: Date.parse(b.start), parts: [{ kind: 'succeeded', value: b.succeeded }, { kind: 'failed', value: b.failed }, { kind: 'pending', value: b.pending }] }))}
          from={o.from}
          to={o.to}
          bucketMs={o.bucketMs}
          label={t('health.chartLabel', { succeeded: o.totals.succeeded, failed: o.totals.failed, pending: o.totals.pending })}
          legend={[
            { kind: 'succeeded', text: t('health.legendSucceeded', { count: number(o.totals.succeeded) }) },
            { kind: 'failed', text: t('health.legendFailed', { count: number(o.totals.failed) }) },
            { kind: 'pending', text: t('health.legendPending', { count: number(o.totals.pending) }) },
          ]}
        />
      )}
      <div className="field search">
        <label htmlFor={searchId}>{t('health.search')}</label>
        <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <DataTable
        label={t('health.title')}
        state={{ items: rows && rows.filter((row) => matchesSearch(row, search)), error: error ?? tenants.error, loadMore: tenants.loadMore }}
        empty={t(search ? 'health.noMatch' : 'health.empty')}
        rowKey={(row) => row.endpoint.id}
        columns={[
          {
            header: t('health.tenant'),
            cell: (row) => (
              <button type="button" className="link" onClick={() => onOpen(row.tenant.id)}>
                <code dir="ltr">{row.tenant.id}</code>
              </button>
            ),
          },
          {
            header: t('health.endpoint'),
            cell: (row) => (
              <>
                <span className="mono url" dir="ltr">
                  {row.endpoint.url}
                </span>{' '}
                {row.endpoint.status !== 'active' && <Badge tone={endpointTone(row.endpoint.status)}>{t(`status.${row.endpoint.status}` as MessageKey)}</Badge>}
              </>
            ),
          },
          { header: t('health.attempts'), className: 'nowrap', cell: (row) => number(row.figures?.attempts ?? 0) },
          { header: t('health.successRate'), className: 'nowrap', cell: (row) => percent(row.figures?.successRate) },
          { header: t('health.avgLatency'), className: 'nowrap', cell: (row) => ms(row.figures?.avgLatencyMs) },
          { header: t('health.maxLatency'), className: 'nowrap', cell: (row) => ms(row.figures?.maxLatencyMs) },
        ]}
      />
    </section>
  );
}
