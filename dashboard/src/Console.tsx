import { useCallback, useEffect, useId, useState } from 'react';
import { describeError, query, type Api, type Endpoint, type EventType, type OperatorStats, type Page, type Tenant, type TenantStats } from './api.js';
import { CopyField, Dialog } from './Dialog.js';
import type { MessageKey } from './i18n/en.js';
import { useI18n } from './i18n/index.js';
import { Portal } from './Portal.js';
import { Badge, Shell } from './Shell.js';

type ConsoleTab = 'tenants' | 'eventTypes' | 'health';
const TABS: { key: ConsoleTab; label: MessageKey }[] = [
  { key: 'tenants', label: 'tabs.tenants' },
  { key: 'eventTypes', label: 'tabs.eventTypes' },
  { key: 'health', label: 'tabs.health' },
];
const SCHEMES = ['standard-webhooks', 'timestamped-hex', 'hub-sha256', 'body-hex'];

export function Console({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<ConsoleTab>('tenants');
  const [viewing, setViewing] = useState<string | null>(null);
  if (viewing) return <Portal api={api} tenantId={viewing} onSignOut={onSignOut} onBack={() => setViewing(null)} />;
  return (
    <Shell context={t('console.title')} tabs={TABS} tab={tab} onTab={setTab} onSignOut={onSignOut}>
      {tab === 'tenants' ? <TenantsView api={api} onOpen={setViewing} /> : tab === 'health' ? <HealthView api={api} onOpen={setViewing} /> : <EventTypesView api={api} />}
    </Shell>
  );
}

function usePaged<T>(api: Api, path: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api<Page<T>>('GET', `${path}${query({ limit: '50', cursor: after })}`);
        setItems((current) => (after && current ? [...current, ...page.data] : page.data));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [api, path],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  return { items, cursor, error, load };
}

function TenantsView({ api, onOpen }: { api: Api; onOpen: (id: string) => void }) {
  const { t, date } = useI18n();
  const { items, cursor, error, load } = usePaged<Tenant>(api, '/tenants');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Tenant | null>(null);
  const [link, setLink] = useState<{ id: string; url: string; expiresAt: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  return (
    <section aria-labelledby="tenants-title">
      <div className="section-head">
        <h1 id="tenants-title">{t('tenants.title')}</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t('tenants.create')}
        </button>
      </div>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {(error || actionError) && (
        <p role="alert" className="error">
          {t('common.error', { message: (error ?? actionError)! })}
        </p>
      )}
      {items === null ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{t('tenants.empty')}</p>
      ) : (
        <ul className="rows" aria-label={t('tenants.title')}>
          {items.map((tenant) => (
            <li key={tenant.id} className="row tenant">
              <strong>{tenant.name}</strong>
              <code dir="ltr">{tenant.id}</code>
              <Badge tone="idle">{tenant.settings.signature.scheme}</Badge>
              <span className="small muted">{t('tenants.created', { date: date(tenant.createdAt) })}</span>
              <span className="row-actions">
                <button
                  type="button"
                  onClick={async () => {
                    setActionError(null);
                    try {
                      const answer = await api<{ url: string; expiresAt: string }>('POST', `/tenants/${encodeURIComponent(tenant.id)}/portal-token`, {});
                      setLink({ id: tenant.id, ...answer });
                    } catch (e) {
                      setActionError(describeError(e));
                    }
                  }}
                >
                  {t('tenants.portalLink')}
                </button>
                <button type="button" onClick={() => onOpen(tenant.id)}>
                  {t('tenants.openPortal')}
                </button>
                <button type="button" onClick={() => setEditing(tenant)}>
                  {t('settings.edit')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t('common.loadMore')}
        </button>
      )}
      {creating && (
        <CreateTenantDialog
          api={api}
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            setNotice(t('tenants.createdNotice', { id }));
            void load(null);
          }}
        />
      )}
      {editing && (
        <EditSettingsDialog
          api={api}
          tenant={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setNotice(t('settings.savedNotice', { id: editing.id }));
            setEditing(null);
            void load(null);
          }}
        />
      )}
      {link && (
        <Dialog title={t('tenants.portalTitle', { id: link.id })} onClose={() => setLink(null)}>
          <p className="muted">{t('tenants.portalHint')}</p>
          <CopyField label={t('tenants.portalLink')} value={link.url} />
          <p className="small">{t('tenants.portalExpires', { date: date(link.expiresAt) })}</p>
        </Dialog>
      )}
    </section>
  );
}

interface SettingsDraft {
  scheme: string;
  header: string;
  prefix: string;
  envelope: string;
  retrySchedule: string;
  attemptTimeoutMs: string;
  autoDisableAfterFailures: string;
  userAgent: string;
  quotaLimit: string;
  quotaPeriod: string;
  retentionDays: string;
}

const draftFrom = (settings?: Tenant['settings']): SettingsDraft => ({
  scheme: settings?.signature.scheme ?? 'standard-webhooks',
  header: settings?.signature.header ?? '',
  prefix: settings?.signature.prefix ?? '',
  envelope: settings?.envelope ?? 'snake',
  retrySchedule: settings?.retrySchedule.join(', ') ?? '',
  attemptTimeoutMs: settings ? String(settings.attemptTimeoutMs) : '',
  autoDisableAfterFailures: settings ? String(settings.autoDisableAfterFailures) : '',
  userAgent: settings?.userAgent ?? '',
  quotaLimit: settings?.eventQuota ? String(settings.eventQuota.limit) : '',
  quotaPeriod: settings?.eventQuota?.period ?? 'none',
  retentionDays: settings ? String(settings.retentionDays) : '',
});

/** A whole number as a number; anything else as typed, so the server's 422 names the field. */
const asInteger = (text: string): number | string => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** The settings the draft sets; empty fields are left to the server's defaults (or current values). */
function settingsFrom(draft: SettingsDraft): Record<string, unknown> {
  const signature: Record<string, unknown> = { scheme: draft.scheme };
  if (draft.scheme === 'body-hex' && draft.header.trim()) signature.header = draft.header.trim();
  if (draft.scheme === 'timestamped-hex' && draft.prefix.trim()) signature.prefix = draft.prefix.trim();
  const settings: Record<string, unknown> = { signature, envelope: draft.envelope };
  if (draft.retrySchedule.trim()) settings.retrySchedule = draft.retrySchedule.split(',').map(asInteger);
  if (draft.attemptTimeoutMs.trim()) settings.attemptTimeoutMs = asInteger(draft.attemptTimeoutMs);
  if (draft.autoDisableAfterFailures.trim()) settings.autoDisableAfterFailures = asInteger(draft.autoDisableAfterFailures);
  if (draft.userAgent.trim()) settings.userAgent = draft.userAgent.trim();
  settings.eventQuota = draft.quotaPeriod === 'none' ? null : { limit: asInteger(draft.quotaLimit), period: draft.quotaPeriod };
  if (draft.retentionDays.trim()) settings.retentionDays = asInteger(draft.retentionDays);
  return settings;
}

function SettingsFields({ draft, onChange }: { draft: SettingsDraft; onChange: (draft: SettingsDraft) => void }) {
  const { t } = useI18n();
  const base = useId();
  const id = (name: string) => `${base}-${name}`;
  const set = (key: keyof SettingsDraft) => (e: { target: { value: string } }) => onChange({ ...draft, [key]: e.target.value });
  const text = (key: keyof SettingsDraft, label: MessageKey, props: { numeric?: boolean; hint?: MessageKey } = {}) => (
    <div className="field">
      <label htmlFor={id(key)}>{t(label)}</label>
      <input id={id(key)} dir="ltr" className="mono" inputMode={props.numeric ? 'numeric' : undefined} value={draft[key]} onChange={set(key)} aria-describedby={props.hint ? `${id(key)}-hint` : undefined} />
      {props.hint && (
        <small id={`${id(key)}-hint`} className="muted">
          {t(props.hint)}
        </small>
      )}
    </div>
  );
  return (
    <>
      <div className="field">
        <label htmlFor={id('scheme')}>{t('tenants.scheme')}</label>
        <select id={id('scheme')} value={draft.scheme} onChange={set('scheme')}>
          {SCHEMES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      {draft.scheme === 'body-hex' && text('header', 'settings.header')}
      {draft.scheme === 'timestamped-hex' && text('prefix', 'settings.prefix')}
      <div className="field">
        <label htmlFor={id('envelope')}>{t('tenants.envelope')}</label>
        <select id={id('envelope')} value={draft.envelope} onChange={set('envelope')}>
          <option value="snake">{t('tenants.envelope.snake')}</option>
          <option value="camel">{t('tenants.envelope.camel')}</option>
        </select>
      </div>
      {text('retrySchedule', 'settings.retrySchedule', { hint: 'settings.retryScheduleHint' })}
      {text('attemptTimeoutMs', 'settings.attemptTimeoutMs', { numeric: true })}
      {text('autoDisableAfterFailures', 'settings.autoDisable', { numeric: true, hint: 'settings.autoDisableHint' })}
      {text('userAgent', 'settings.userAgent')}
      <fieldset className="field">
        <legend>{t('settings.quota')}</legend>
        <label htmlFor={id('quotaPeriod')}>{t('settings.quotaPeriod')}</label>
        <select id={id('quotaPeriod')} value={draft.quotaPeriod} onChange={set('quotaPeriod')}>
          <option value="none">{t('settings.quotaNone')}</option>
          <option value="day">{t('settings.quotaDay')}</option>
          <option value="month">{t('settings.quotaMonth')}</option>
        </select>
        {draft.quotaPeriod !== 'none' && (
          <>
            <label htmlFor={id('quotaLimit')}>{t('settings.quotaLimit')}</label>
            <input id={id('quotaLimit')} dir="ltr" className="mono" inputMode="numeric" value={draft.quotaLimit} onChange={set('quotaLimit')} />
          </>
        )}
      </fieldset>
      {text('retentionDays', 'settings.retentionDays', { numeric: true })}
    </>
  );
}

function CreateTenantDialog({ api, onClose, onCreated }: { api: Api; onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const ids = { name: useId(), id: useId() };
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [draft, setDraft] = useState<SettingsDraft>(draftFrom());
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={t('tenants.create')} onClose={onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            const body: Record<string, unknown> = { name: name.trim(), settings: settingsFrom(draft) };
            if (id.trim()) body.id = id.trim();
            const created = await api<Tenant>('POST', '/tenants', body);
            onCreated(created.id);
          } catch (e) {
            setError(describeError(e));
          }
        }}
      >
        <div className="field">
          <label htmlFor={ids.name}>{t('tenants.name')}</label>
          <input id={ids.name} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.id}>
            {t('tenants.id')} <span className="muted">{t('common.optional')}</span>
          </label>
          <input id={ids.id} dir="ltr" className="mono" pattern="[a-zA-Z0-9_\-]{1,64}" value={id} onChange={(e) => setId(e.target.value)} aria-describedby={`${ids.id}-hint`} />
          <small id={`${ids.id}-hint`} className="muted">
            {t('tenants.idHint')}
          </small>
        </div>
        <SettingsFields draft={draft} onChange={setDraft} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            {t('form.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function EditSettingsDialog({ api, tenant, onClose, onSaved }: { api: Api; tenant: Tenant; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<SettingsDraft>(draftFrom(tenant.settings));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={t('settings.title', { id: tenant.id })} onClose={onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          setBusy(true);
          try {
            await api<Tenant>('PATCH', `/tenants/${encodeURIComponent(tenant.id)}`, { settings: settingsFrom(draft) });
            onSaved();
          } catch (e) {
            setError(describeError(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <SettingsFields draft={draft} onChange={setDraft} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('form.saving') : t('form.save')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function EventTypesView({ api }: { api: Api }) {
  const { t } = useI18n();
  const { items, cursor, error, load } = usePaged<EventType>(api, '/event-types');
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="types-title">
      <div className="section-head">
        <h1 id="types-title">{t('eventTypes.title')}</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t('eventTypes.create')}
        </button>
      </div>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {t('common.error', { message: error })}
        </p>
      )}
      {items === null ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{t('eventTypes.empty')}</p>
      ) : (
        <ul className="rows" aria-label={t('eventTypes.title')}>
          {items.map((type) => (
            <li key={type.name} className="row event-type">
              <code dir="ltr">{type.name}</code>
              {type.deprecated && <Badge tone="warn">{t('eventTypes.deprecated')}</Badge>}
              <span className="grow">{type.description}</span>
              {(type.schema || type.example !== null) && (
                <details className="full">
                  <summary>{t('eventTypes.showSchema')}</summary>
                  <pre dir="ltr">{JSON.stringify({ schema: type.schema, example: type.example }, null, 2)}</pre>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t('common.loadMore')}
        </button>
      )}
      {creating && (
        <CreateEventTypeDialog
          api={api}
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setNotice(t('eventTypes.createdNotice', { name }));
            void load(null);
          }}
        />
      )}
    </section>
  );
}

function CreateEventTypeDialog({ api, onClose, onCreated }: { api: Api; onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useI18n();
  const ids = { name: useId(), description: useId(), schema: useId(), example: useId(), deprecated: useId() };
  const [name, setName] = useState('');
  const [deprecated, setDeprecated] = useState(false);
  const [description, setDescription] = useState('');
  const [schema, setSchema] = useState('');
  const [example, setExample] = useState('');
  const [error, setError] = useState<string | null>(null);
  const parse = (text: string, field: string): { ok: true; value: unknown } | { ok: false } => {
    if (!text.trim()) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      setError(t('eventTypes.badJson', { field }));
      return { ok: false };
    }
  };
  return (
    <Dialog title={t('eventTypes.create')} onClose={onClose} wide>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          const parsedSchema = parse(schema, t('eventTypes.schema'));
          const parsedExample = parse(example, t('eventTypes.example'));
          if (!parsedSchema.ok || !parsedExample.ok) return;
          try {
            const body: Record<string, unknown> = { name: name.trim(), description, deprecated };
            if (parsedSchema.value !== undefined) body.schema = parsedSchema.value;
            if (parsedExample.value !== undefined) body.example = parsedExample.value;
            const created = await api<EventType>('POST', '/event-types', body);
            onCreated(created.name);
          } catch (e) {
            setError(describeError(e));
          }
        }}
      >
        <div className="field">
          <label htmlFor={ids.name}>{t('eventTypes.name')}</label>
          <input id={ids.name} dir="ltr" className="mono" required value={name} onChange={(e) => setName(e.target.value)} placeholder={t('eventTypes.nameHint')} />
        </div>
        <div className="field">
          <label htmlFor={ids.description}>{t('eventTypes.description')}</label>
          <input id={ids.description} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.schema}>
            {t('eventTypes.schema')} <span className="muted">{t('common.optional')}</span>
          </label>
          <textarea id={ids.schema} dir="ltr" className="mono" rows={5} value={schema} onChange={(e) => setSchema(e.target.value)} placeholder='{"type":"object"}' />
        </div>
        <div className="field">
          <label htmlFor={ids.example}>
            {t('eventTypes.example')} <span className="muted">{t('common.optional')}</span>
          </label>
          <textarea id={ids.example} dir="ltr" className="mono" rows={4} value={example} onChange={(e) => setExample(e.target.value)} placeholder='{"text":"hi"}' />
        </div>
        <div className="field check">
          <input id={ids.deprecated} type="checkbox" checked={deprecated} onChange={(e) => setDeprecated(e.target.checked)} />
          <label htmlFor={ids.deprecated}>{t('eventTypes.deprecated')}</label>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            {t('form.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

async function readAllPages<T>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>('GET', `${path}${query({ limit: '100', cursor })}`);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

interface HealthRow {
  tenantId: string;
  endpoint: Endpoint;
  figures: TenantStats['endpoints'][number]['totals'] | null;
}

/** Every tenant's endpoints over the last 24 h, the most failing and slowest first. One stats call per tenant. */
function HealthView({ api, onOpen }: { api: Api; onOpen: (id: string) => void }) {
  const { t, number } = useI18n();
  const [rows, setRows] = useState<HealthRow[] | null>(null);
  const [outcomes, setOutcomes] = useState<OperatorStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setOutcomes(await api<OperatorStats>('GET', '/stats'));
      const tenants = await readAllPages<Tenant>(api, '/tenants');
      const perTenant = await Promise.all(
        tenants.map(async (tenant) => {
          const base = `/tenants/${encodeURIComponent(tenant.id)}`;
          const [endpoints, stats] = await Promise.all([readAllPages<Endpoint>(api, `${base}/endpoints`), api<TenantStats>('GET', `${base}/stats`)]);
          return endpoints.map((endpoint) => ({ tenantId: tenant.id, endpoint, figures: stats.endpoints.find((s) => s.endpointId === endpoint.id)?.totals ?? null }));
        }),
      );
      const rate = (row: HealthRow) => row.figures?.successRate ?? 2; // no traffic sorts last
      setRows(perTenant.flat().sort((a, b) => rate(a) - rate(b) || (b.figures?.avgLatencyMs ?? -1) - (a.figures?.avgLatencyMs ?? -1)));
    } catch (e) {
      setError(describeError(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${number(Math.round(value * 1000) / 10)}%`);
  const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : t('test.ms', { ms: value }));

  return (
    <section aria-labelledby="health-title">
      <div className="section-head">
        <h1 id="health-title">{t('health.title')}</h1>
        <button type="button" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      <p className="muted">{t('health.intro')}</p>
      {outcomes && <OutcomeChart stats={outcomes} />}
      {error && (
        <p role="alert" className="error">
          {t('common.error', { message: error })}
        </p>
      )}
      {rows === null ? (
        <p>{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="empty">{t('health.empty')}</p>
      ) : (
        <table className="health">
          <thead>
            <tr>
              <th scope="col">{t('health.tenant')}</th>
              <th scope="col">{t('health.endpoint')}</th>
              <th scope="col">{t('health.attempts')}</th>
              <th scope="col">{t('health.successRate')}</th>
              <th scope="col">{t('health.avgLatency')}</th>
              <th scope="col">{t('health.maxLatency')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.endpoint.id}>
                <td>
                  <button type="button" className="link" onClick={() => onOpen(row.tenantId)}>
                    <code dir="ltr">{row.tenantId}</code>
                  </button>
                </td>
                <td className="mono" dir="ltr">
                  {row.endpoint.url}
                </td>
                <td>{number(row.figures?.attempts ?? 0)}</td>
                <td>{percent(row.figures?.successRate)}</td>
                <td>{ms(row.figures?.avgLatencyMs)}</td>
                <td>{ms(row.figures?.maxLatencyMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Deliveries by outcome per bucket as stacked bars: inline SVG, no chart library. */
function OutcomeChart({ stats }: { stats: OperatorStats }) {
  const { t, number } = useI18n();
  const width = 480;
  const height = 80;
  const first = Math.floor(Date.parse(stats.from) / stats.bucketMs) * stats.bucketMs;
  const count = Math.max(1, Math.ceil((Date.parse(stats.to) - first) / stats.bucketMs));
  const byStart = new Map(stats.buckets.map((b) => [Date.parse(b.start), b]));
  const max = Math.max(1, ...stats.buckets.map((b) => b.succeeded + b.failed + b.pending));
  const slot = width / count;
  const barWidth = Math.max(1, slot * 0.8);
  const label = t('health.chartLabel', { succeeded: stats.totals.succeeded, failed: stats.totals.failed, pending: stats.totals.pending });
  return (
    <figure className="outcome-chart">
      <figcaption>{t('health.chartTitle')}</figcaption>
      <svg width="100%" height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="baseline" />
        {Array.from({ length: count }, (_, i) => {
          const bucket = byStart.get(first + i * stats.bucketMs);
          if (!bucket) return null;
          let y = height;
          return (
            <g key={i}>
              {(['succeeded', 'failed', 'pending'] as const).map((outcome) => {
                const h = (bucket[outcome] / max) * (height - 2);
                if (h <= 0) return null;
                y -= h;
                return <rect key={outcome} className={outcome} x={i * slot + (slot - barWidth) / 2} y={y} width={barWidth} height={h} />;
              })}
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        <li className="succeeded">{t('health.legendSucceeded', { count: number(stats.totals.succeeded) })}</li>
        <li className="failed">{t('health.legendFailed', { count: number(stats.totals.failed) })}</li>
        <li className="pending">{t('health.legendPending', { count: number(stats.totals.pending) })}</li>
      </ul>
    </figure>
  );
}
