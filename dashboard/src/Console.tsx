import { useCallback, useEffect, useId, useState } from 'react';
import { describeError, query, type Api, type Endpoint, type EventType, type Page, type Tenant, type TenantStats } from './api.js';
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

function CreateTenantDialog({ api, onClose, onCreated }: { api: Api; onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const ids = { name: useId(), id: useId(), scheme: useId(), envelope: useId() };
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [scheme, setScheme] = useState('standard-webhooks');
  const [envelope, setEnvelope] = useState('snake');
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={t('tenants.create')} onClose={onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            const body: Record<string, unknown> = { name: name.trim(), settings: { signature: { scheme }, envelope } };
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
        <div className="field">
          <label htmlFor={ids.scheme}>{t('tenants.scheme')}</label>
          <select id={ids.scheme} value={scheme} onChange={(e) => setScheme(e.target.value)}>
            {SCHEMES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.envelope}>{t('tenants.envelope')}</label>
          <select id={ids.envelope} value={envelope} onChange={(e) => setEnvelope(e.target.value)}>
            <option value="snake">{t('tenants.envelope.snake')}</option>
            <option value="camel">{t('tenants.envelope.camel')}</option>
          </select>
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
  const ids = { name: useId(), description: useId(), schema: useId(), example: useId() };
  const [name, setName] = useState('');
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
            const body: Record<string, unknown> = { name: name.trim(), description };
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
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
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
