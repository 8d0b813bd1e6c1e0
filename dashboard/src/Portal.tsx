import { useCallback, useEffect, useId, useState } from 'react';
import { describeError, query, type Api, type AuditEntry, type Delivery, type DeliveryDetail, type Endpoint, type EventType, type Page, type TenantStats, type TestResult } from './api.js';
import { CopyField, Dialog } from './Dialog.js';
import type { MessageKey } from './i18n/en.js';
import { useI18n } from './i18n/index.js';
import { Badge, deliveryTone, endpointTone, Shell } from './Shell.js';
import { Sparkline } from './Sparkline.js';

type PortalTab = 'endpoints' | 'deliveries' | 'audit';
const TABS: { key: PortalTab; label: MessageKey }[] = [
  { key: 'endpoints', label: 'tabs.endpoints' },
  { key: 'deliveries', label: 'tabs.deliveries' },
  { key: 'audit', label: 'tabs.audit' },
];

/** Reads every page of a small list (endpoints, the catalog). */
async function readAll<T>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>('GET', `${path}${query({ limit: '250', cursor })}`);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function Portal({ api, tenantId, onSignOut, onBack }: { api: Api; tenantId: string; onSignOut: () => void; onBack?: () => void }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<PortalTab>('endpoints');
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [catalog, setCatalog] = useState<EventType[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [endpointFilter, setEndpointFilter] = useState('');
  const base = `/tenants/${encodeURIComponent(tenantId)}`;

  const reload = useCallback(async () => {
    try {
      const [list, types] = await Promise.all([readAll<Endpoint>(api, `${base}/endpoints`), readAll<EventType>(api, '/event-types')]);
      setEndpoints(list);
      setCatalog(types);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [api, base]);
  useEffect(() => {
    if (tab === 'endpoints') void reload();
  }, [reload, tab]);

  return (
    <Shell
      context={t('portal.tenant', { id: tenantId })}
      tabs={TABS}
      tab={tab}
      onTab={setTab}
      onSignOut={onSignOut}
      extra={
        onBack && (
          <button type="button" className="ghost" onClick={onBack}>
            {t('portal.backToConsole')}
          </button>
        )
      }
    >
      {error && (
        <p role="alert" className="error">
          {t('common.error', { message: error })}
        </p>
      )}
      {tab === 'endpoints' && (
        <EndpointsView
          api={api}
          base={base}
          endpoints={endpoints}
          catalog={catalog}
          reload={reload}
          onDeliveries={(id) => {
            setEndpointFilter(id);
            setTab('deliveries');
          }}
        />
      )}
      {tab === 'deliveries' && <DeliveriesView api={api} base={base} endpoints={endpoints ?? []} catalog={catalog} endpointFilter={endpointFilter} setEndpointFilter={setEndpointFilter} />}
      {tab === 'audit' && <AuditView api={api} base={base} />}
    </Shell>
  );
}

// Endpoints --------------------------------------------------------------

function EndpointsView(props: { api: Api; base: string; endpoints: Endpoint[] | null; catalog: EventType[]; reload: () => Promise<void>; onDeliveries: (id: string) => void }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ value: string | null } | null>(null);
  const [stats, setStats] = useState<TenantStats | null>(null);
  const { api, base, endpoints } = props;
  useEffect(() => {
    if (endpoints === null) return;
    // The sparklines are a nicety: without stats the cards still work.
    api<TenantStats>('GET', `${base}/stats`).then(setStats, () => setStats(null));
  }, [api, base, endpoints]);
  return (
    <section aria-labelledby="endpoints-title">
      <div className="section-head">
        <h1 id="endpoints-title">{t('endpoints.title')}</h1>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {t('endpoints.add')}
        </button>
      </div>
      {props.endpoints === null ? (
        <p>{t('common.loading')}</p>
      ) : props.endpoints.length === 0 ? (
        <p className="empty">{t('endpoints.empty')}</p>
      ) : (
        <ul className="cards">
          {props.endpoints.map((endpoint) => (
            <EndpointCard key={endpoint.id} {...props} endpoint={endpoint} stats={stats} onSecret={(value) => setSecret({ value })} />
          ))}
        </ul>
      )}
      {adding && (
        <AddEndpointDialog
          api={props.api}
          base={props.base}
          catalog={props.catalog}
          onClose={() => setAdding(false)}
          onCreated={(value) => {
            setAdding(false);
            setSecret({ value });
            void props.reload();
          }}
        />
      )}
      {secret && <SecretDialog secret={secret.value} onClose={() => setSecret(null)} />}
    </section>
  );
}

function SecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('secret.title')} onClose={onClose}>
      {secret ? (
        <>
          <p className="warn-text">{t('secret.once')}</p>
          <CopyField label={t('secret.label')} value={secret} />
        </>
      ) : (
        <p>{t('secret.unsigned')}</p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}

function EndpointCard({
  api,
  base,
  endpoint,
  reload,
  onDeliveries,
  onSecret,
  stats,
  catalog,
}: {
  api: Api;
  base: string;
  endpoint: Endpoint;
  stats: TenantStats | null;
  catalog: EventType[];
  reload: () => Promise<void>;
  onDeliveries: (id: string) => void;
  onSecret: (secret: string) => void;
}) {
  const { t, number } = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<TestResult | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [since, setSince] = useState('');
  const path = `${base}/endpoints/${encodeURIComponent(endpoint.id)}`;
  const headingId = useId();
  const sinceId = useId();

  const run = async (name: string, action: () => Promise<void>) => {
    setBusy(name);
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="card endpoint" aria-labelledby={headingId}>
      <div className="card-head">
        <h2 id={headingId} className="url mono" dir="ltr">
          {endpoint.url}
        </h2>
        <Badge tone={endpointTone(endpoint.status)}>{t(`status.${endpoint.status}` as MessageKey)}</Badge>
      </div>
      {endpoint.description && <p>{endpoint.description}</p>}
      {stats && <Sparkline stats={stats.endpoints.find((s) => s.endpointId === endpoint.id)} from={stats.from} to={stats.to} bucketMs={stats.bucketMs} />}
      <dl className="facts">
        <dt>{t('endpoints.events')}</dt>
        <dd>
          {endpoint.eventTypes.map((type) => (
            <code key={type} className="chip" dir="ltr">
              {type}
            </code>
          ))}
          {!endpoint.signed && <Badge tone="idle">{t('endpoints.unsigned')}</Badge>}
        </dd>
      </dl>
      {endpoint.consecutiveFailures > 0 && (
        <p className="warn-text" role="status">
          ⚠ {t('endpoints.failures', { count: endpoint.consecutiveFailures })}
        </p>
      )}
      {endpoint.disabledReason && endpoint.status !== 'active' && <p className="muted">{t('endpoints.disabledReason', { reason: endpoint.disabledReason })}</p>}
      <div className="actions" role="group" aria-label={t('endpoints.actions', { url: endpoint.url })}>
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() =>
            run('test', async () => {
              setResult(null);
              setResult(await api<TestResult>('POST', `${path}/test`, {}));
              void reload();
            })
          }
        >
          {busy === 'test' ? t('test.sending') : t('endpoints.sendTest')}
        </button>
        <button type="button" onClick={() => onDeliveries(endpoint.id)}>
          {t('endpoints.showDeliveries')}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            run('retry', async () => {
              const { count } = await api<{ count: number }>('POST', `${path}/retry-failed`, {});
              setNotice(t('endpoints.retried', { count }));
            })
          }
        >
          {t('endpoints.retryFailed')}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            run('toggle', async () => {
              await api('POST', `${path}/${endpoint.status === 'disabled' ? 'enable' : 'disable'}`, {});
              await reload();
            })
          }
        >
          {endpoint.status === 'disabled' ? t('endpoints.enable') : t('endpoints.disable')}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            run('rotate', async () => {
              const { secret } = await api<{ secret: string }>('POST', `${path}/rotate-secret`, {});
              onSecret(secret);
              await reload();
            })
          }
        >
          {t('endpoints.rotate')}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => setEditing(true)}>
          {t('endpoints.edit')}
        </button>
      </div>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const iso = toIso(since);
          if (!iso) return;
          void run('recover', async () => {
            const { count } = await api<{ count: number }>('POST', `${path}/recover`, { since: iso });
            setNotice(t('endpoints.recovered', { count }));
          });
        }}
      >
        <label htmlFor={sinceId}>{t('endpoints.recoverSince')}</label>
        <input id={sinceId} type="datetime-local" step="1" required value={since} onChange={(e) => setSince(e.target.value)} />
        <button type="submit" disabled={busy !== null || !since}>
          {t('endpoints.recover')}
        </button>
      </form>
      {editing && (
        <EditEndpointDialog
          api={api}
          path={path}
          endpoint={endpoint}
          catalog={catalog}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setNotice(t('endpoints.saved'));
            void reload();
          }}
        />
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <section className={`result ${result.success ? 'ok' : 'bad'}`} aria-label={t('test.title')} data-testid="test-result">
          <h3>
            {t('test.title')}: <span>{result.success ? t('test.success') : t('test.failure')}</span>
          </h3>
          <dl className="facts">
            <dt>{t('test.status')}</dt>
            <dd dir="ltr">{result.statusCode ?? '—'}</dd>
            <dt>{t('test.duration')}</dt>
            <dd>{t('test.ms', { ms: result.durationMs })}</dd>
            {result.error && (
              <>
                <dt>{t('test.error')}</dt>
                <dd>{result.error}</dd>
              </>
            )}
          </dl>
          {result.responseBody !== null && (
            <>
              <h4>{t('test.body')}</h4>
              <pre dir="ltr">{result.responseBody.slice(0, 500)}</pre>
            </>
          )}
        </section>
      )}
    </li>
  );
}

/** The subscription choices: `*`, each family `prefix.*`, and each catalog type. */
function subscriptionChoices(catalog: EventType[]): { families: string[]; types: EventType[] } {
  const families = [...new Set(catalog.map((type) => type.name.split('.')[0]!).filter(Boolean))].sort();
  return { families, types: catalog.filter((type) => !type.deprecated) };
}

/** The payload-filter textarea's text as JSON: `undefined` when empty, `Error` when it doesn't parse as an object. */
function parseFilter(text: string): Record<string, unknown> | null | undefined | Error {
  if (!text.trim()) return undefined;
  try {
    const value = JSON.parse(text);
    if (value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) return new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function FilterField({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  const { t } = useI18n();
  const invalid = parseFilter(value) instanceof Error;
  return (
    <div className="field">
      <label htmlFor={id}>
        {t('form.filter')} <span className="muted">{t('common.optional')}</span>
      </label>
      <textarea id={id} dir="ltr" className="mono" rows={3} value={value} onChange={(e) => onChange(e.target.value)} placeholder='{"data.plan": "pro"}' aria-invalid={invalid} aria-describedby={`${id}-hint`} />
      <small id={`${id}-hint`} className={invalid ? 'error' : 'muted'}>
        {invalid ? t('form.filterInvalid') : t('form.filterHint')}
      </small>
    </div>
  );
}

function AddEndpointDialog({ api, base, catalog, onClose, onCreated }: { api: Api; base: string; catalog: EventType[]; onClose: () => void; onCreated: (secret: string | null) => void }) {
  const { t } = useI18n();
  const ids = { url: useId(), description: useId(), secret: useId(), verify: useId(), filter: useId() };
  const [url, setUrl] = useState('');
  const [filter, setFilter] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [secret, setSecret] = useState('');
  const [verifyToken, setVerifyToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <Dialog title={t('form.newEndpoint')} onClose={onClose} wide>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          if (events.length === 0) return setError(t('form.pickEvent'));
          const parsedFilter = parseFilter(filter);
          if (parsedFilter instanceof Error) return setError(t('form.filterInvalid'));
          setBusy(true);
          setError(null);
          try {
            const body: Record<string, unknown> = { url: url.trim(), eventTypes: events };
            if (parsedFilter) body.filter = parsedFilter;
            if (description.trim()) body.description = description.trim();
            if (secret) body.secret = secret;
            if (verifyToken) body.verifyToken = verifyToken;
            const created = await api<{ secret: string | null }>('POST', `${base}/endpoints`, body);
            onCreated(created.secret);
          } catch (e) {
            setError(describeError(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor={ids.url}>{t('form.url')}</label>
          <input id={ids.url} type="url" dir="ltr" className="mono" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks" aria-describedby={`${ids.url}-hint`} />
          <small id={`${ids.url}-hint`} className="muted">
            {t('form.urlHint')}
          </small>
          {urlProblem(url) && (
            <small role="alert" className="error">
              {t(urlProblem(url)!)}
            </small>
          )}
        </div>
        <EventPicker catalog={catalog} selected={events} onChange={setEvents} />
        <div className="field">
          <label htmlFor={ids.description}>{t('form.description')}</label>
          <input id={ids.description} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
        </div>
        <FilterField id={ids.filter} value={filter} onChange={setFilter} />
        <div className="field">
          <label htmlFor={ids.secret}>
            {t('form.secret')} <span className="muted">{t('common.optional')}</span>
          </label>
          <input id={ids.secret} className="mono" dir="ltr" autoComplete="off" minLength={8} maxLength={256} value={secret} onChange={(e) => setSecret(e.target.value)} aria-describedby={`${ids.secret}-hint`} />
          <small id={`${ids.secret}-hint`} className="muted">
            {t('form.secretHint')}
          </small>
        </div>
        <div className="field">
          <label htmlFor={ids.verify}>
            {t('form.verifyToken')} <span className="muted">{t('common.optional')}</span>
          </label>
          <input id={ids.verify} className="mono" dir="ltr" autoComplete="off" value={verifyToken} onChange={(e) => setVerifyToken(e.target.value)} aria-describedby={`${ids.verify}-hint`} />
          <small id={`${ids.verify}-hint`} className="muted">
            {t('form.verifyTokenHint')}
          </small>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('form.creating') : t('form.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function EditEndpointDialog({ api, path, endpoint, catalog, onClose, onSaved }: { api: Api; path: string; endpoint: Endpoint; catalog: EventType[]; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const ids = { url: useId(), description: useId(), filter: useId() };
  const initialFilter = endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '';
  const [filter, setFilter] = useState(initialFilter);
  const [url, setUrl] = useState(endpoint.url);
  const [events, setEvents] = useState<string[]>(endpoint.eventTypes);
  const [description, setDescription] = useState(endpoint.description);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <Dialog title={t('form.editEndpoint')} onClose={onClose} wide>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          if (events.length === 0) return setError(t('form.pickEvent'));
          const parsedFilter = parseFilter(filter);
          if (parsedFilter instanceof Error) return setError(t('form.filterInvalid'));
          setBusy(true);
          setError(null);
          try {
            const body: Record<string, unknown> = {};
            if (filter !== initialFilter) body.filter = parsedFilter ?? null;
            if (url.trim() !== endpoint.url) body.url = url.trim();
            if (description.trim() !== endpoint.description) body.description = description.trim();
            if (events.join('\n') !== endpoint.eventTypes.join('\n')) body.eventTypes = events;
            if (Object.keys(body).length > 0) await api('PATCH', path, body);
            onSaved();
          } catch (e) {
            setError(describeError(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor={ids.url}>{t('form.url')}</label>
          <input id={ids.url} type="url" dir="ltr" className="mono" required value={url} onChange={(e) => setUrl(e.target.value)} />
          {urlProblem(url) && (
            <small role="alert" className="error">
              {t(urlProblem(url)!)}
            </small>
          )}
        </div>
        <EventPicker catalog={catalog} selected={events} onChange={setEvents} keep={endpoint.eventTypes} />
        <div className="field">
          <label htmlFor={ids.description}>{t('form.description')}</label>
          <input id={ids.description} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
        </div>
        <FilterField id={ids.filter} value={filter} onChange={setFilter} />
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

// Deliveries -------------------------------------------------------------

/** `<input type="datetime-local">` speaks local time; the API speaks ISO instants. */
const toIso = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

function DeliveriesView({
  api,
  base,
  endpoints,
  catalog,
  endpointFilter,
  setEndpointFilter,
}: {
  api: Api;
  base: string;
  endpoints: Endpoint[];
  catalog: EventType[];
  endpointFilter: string;
  setEndpointFilter: (id: string) => void;
}) {
  const { t, date, number } = useI18n();
  const ids = { type: useId(), outcome: useId(), from: useId(), to: useId(), endpoint: useId() };
  const [eventType, setEventType] = useState('');
  const [outcome, setOutcome] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const filters = { eventType, outcome, from: toIso(from), to: toIso(to), endpointId: endpointFilter };
  const load = async (after: string | null) => {
    try {
      const page = await api<Page<Delivery>>('GET', `${base}/deliveries${query({ ...filters, limit: '25', cursor: after })}`);
      setItems((current) => (after && current ? [...current, ...page.data] : page.data));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => {
    setItems(null);
    void load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [eventType, outcome, from, to, endpointFilter, version]);

  const urlOf = (id: string) => endpoints.find((endpoint) => endpoint.id === id)?.url ?? id;
  return (
    <section aria-labelledby="deliveries-title">
      <div className="section-head">
        <h1 id="deliveries-title">{t('deliveries.title')}</h1>
        <button type="button" onClick={() => setVersion((v) => v + 1)}>
          {t('common.refresh')}
        </button>
      </div>
      <fieldset className="filters">
        <legend>{t('deliveries.filters')}</legend>
        <div className="field">
          <label htmlFor={ids.type}>{t('deliveries.eventType')}</label>
          <select id={ids.type} value={eventType} onChange={(e) => setEventType(e.target.value)}>
            <option value="">{t('deliveries.any')}</option>
            {catalog.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.outcome}>{t('deliveries.outcome')}</label>
          <select id={ids.outcome} value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">{t('deliveries.any')}</option>
            <option value="succeeded">{t('outcome.succeeded')}</option>
            <option value="failed">{t('outcome.failed')}</option>
            <option value="pending">{t('outcome.pending')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.endpoint}>{t('deliveries.endpoint')}</label>
          <select id={ids.endpoint} value={endpointFilter} onChange={(e) => setEndpointFilter(e.target.value)}>
            <option value="">{t('deliveries.any')}</option>
            {endpoints.map((endpoint) => (
              <option key={endpoint.id} value={endpoint.id}>
                {endpoint.url}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.from}>{t('deliveries.from')}</label>
          <input id={ids.from} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>{t('deliveries.to')}</label>
          <input id={ids.to} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </fieldset>
      {error && (
        <p role="alert" className="error">
          {t('common.error', { message: error })}
        </p>
      )}
      {items === null ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{t('deliveries.empty')}</p>
      ) : (
        <>
          <p className="muted small" role="status">
            {t('deliveries.count', { count: items.length })}
          </p>
          <ul className="rows" aria-label={t('deliveries.title')}>
            {items.map((delivery) => (
              <li key={delivery.id} className="row delivery" data-status={delivery.status}>
                <Badge tone={deliveryTone(delivery.status)}>{t(`dstatus.${delivery.status}` as MessageKey)}</Badge>
                <code dir="ltr">{delivery.eventType}</code>
                {delivery.isTest && <Badge tone="idle">{t('deliveries.test')}</Badge>}
                <span className="mono small ellipsis" dir="ltr">
                  {urlOf(delivery.endpointId)}
                </span>
                <span className="small">
                  {t('deliveries.attempts')}: {number(delivery.attemptCount)}/{number(delivery.maxAttempts)}
                </span>
                <time className="small muted" dateTime={delivery.createdAt}>
                  {date(delivery.createdAt)}
                </time>
                <button type="button" aria-label={t('deliveries.openLabel', { id: delivery.id })} onClick={() => setOpen(delivery.id)}>
                  {t('deliveries.open')}
                </button>
              </li>
            ))}
          </ul>
          {cursor && (
            <button type="button" onClick={() => void load(cursor)}>
              {t('common.loadMore')}
            </button>
          )}
        </>
      )}
      {open && <DeliveryDialog api={api} base={base} id={open} onClose={() => setOpen(null)} onChanged={() => setVersion((v) => v + 1)} />}
    </section>
  );
}

function DeliveryDialog({ api, base, id, onClose, onChanged }: { api: Api; base: string; id: string; onClose: () => void; onChanged: () => void }) {
  const { t, date, number } = useI18n();
  const [detail, setDetail] = useState<DeliveryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const path = `${base}/deliveries/${encodeURIComponent(id)}`;
  const load = useCallback(async () => {
    try {
      setDetail(await api<DeliveryDetail>('GET', path));
    } catch (e) {
      setError(describeError(e));
    }
  }, [api, path]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Dialog title={t('delivery.title', { id })} onClose={onClose} wide>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!detail ? (
        <p>{t('common.loading')}</p>
      ) : (
        <>
          <div className="section-head">
            <Badge tone={deliveryTone(detail.status)}>{t(`dstatus.${detail.status}` as MessageKey)}</Badge>
            <button
              type="button"
              className="primary"
              onClick={async () => {
                try {
                  await api('POST', `${path}/retry`, {});
                  setNotice(t('delivery.retried'));
                  onChanged();
                  await load();
                } catch (e) {
                  setError(describeError(e));
                }
              }}
            >
              {t('delivery.retry')}
            </button>
          </div>
          {notice && (
            <p role="status" className="notice">
              {notice}
            </p>
          )}
          <dl className="facts">
            <dt>{t('deliveries.eventType')}</dt>
            <dd dir="ltr">{detail.eventType}</dd>
            <dt>{t('deliveries.created')}</dt>
            <dd>{date(detail.createdAt)}</dd>
            <dt>{t('delivery.nextAttempt')}</dt>
            <dd>{detail.nextAttemptAt ? date(detail.nextAttemptAt) : t('delivery.noNextAttempt')}</dd>
          </dl>
          {detail.attempts.length === 0 ? (
            <p className="muted">{t('delivery.noAttempts')}</p>
          ) : (
            <ol className="attempts">
              {detail.attempts.map((attempt) => (
                <li key={attempt.number} className="attempt">
                  <h3>
                    {t('delivery.attemptOf', { n: attempt.number, m: detail.maxAttempts })}{' '}
                    <Badge tone={attempt.statusCode !== null && attempt.statusCode < 300 && !attempt.error ? 'ok' : 'bad'}>{attempt.statusCode ?? t('delivery.noResponse')}</Badge>
                  </h3>
                  <dl className="facts">
                    <dt>{t('delivery.startedAt')}</dt>
                    <dd>{date(attempt.startedAt)}</dd>
                    <dt>{t('test.duration')}</dt>
                    <dd>{t('test.ms', { ms: attempt.durationMs })}</dd>
                    <dt>{t('delivery.responseStatus')}</dt>
                    <dd dir="ltr">{attempt.statusCode === null ? t('delivery.noResponse') : number(attempt.statusCode)}</dd>
                    {attempt.error && (
                      <>
                        <dt>{t('test.error')}</dt>
                        <dd className="error">{attempt.error}</dd>
                      </>
                    )}
                  </dl>
                  <details>
                    <summary>{t('delivery.requestHeaders')}</summary>
                    <pre dir="ltr">{Object.entries(attempt.requestHeaders).map(([name, value]) => `${name}: ${value}`).join('\n')}</pre>
                  </details>
                  {attempt.responseBody !== null && (
                    <details open>
                      <summary>{t('delivery.responseBody')}</summary>
                      <pre dir="ltr">{attempt.responseBody}</pre>
                    </details>
                  )}
                </li>
              ))}
            </ol>
          )}
          <h3>{t('delivery.payload')}</h3>
          <pre dir="ltr">{JSON.stringify(detail.event, null, 2)}</pre>
        </>
      )}
    </Dialog>
  );
}

// Audit ------------------------------------------------------------------

function AuditView({ api, base }: { api: Api; base: string }) {
  const { t, date } = useI18n();
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api<Page<AuditEntry>>('GET', `${base}/audit-log${query({ limit: '50', cursor: after })}`);
        setItems((current) => (after && current ? [...current, ...page.data] : page.data));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [api, base],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items === null ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="empty">{t('audit.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td>{date(entry.createdAt)}</td>
                  <td>
                    <code>{entry.actor}</code>
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td className="mono small" dir="ltr">
                    {entry.targetType}/{entry.targetId}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {cursor && (
            <button type="button" onClick={() => void load(cursor)}>
              {t('common.loadMore')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/**
 * Live feedback while typing: what a browser can tell about a URL. Whether its host is a safe,
 * public address only the server can judge; its `unsafe_url` answer is shown on submit.
 */
function urlProblem(text: string): 'form.urlInvalid' | 'form.urlScheme' | null {
  if (text.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'form.urlInvalid';
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'form.urlScheme';
}

/**
 * The subscription checkboxes of the add and edit forms: everything, each family, each type.
 * `keep` lists subscriptions the catalog no longer offers that stay choosable, so saving an
 * edit never drops them silently.
 */
function EventPicker(props: { catalog: EventType[]; selected: string[]; onChange: (selected: string[]) => void; keep?: string[] }) {
  const { t } = useI18n();
  const { families, types } = subscriptionChoices(props.catalog);
  const offered = new Set(['*', ...families.map((prefix) => `${prefix}.*`), ...types.map((type) => type.name)]);
  const extra = (props.keep ?? []).filter((value) => !offered.has(value));
  const box = (value: string, label: string) => (
    <label key={value} className="check">
      <input
        type="checkbox"
        checked={props.selected.includes(value)}
        onChange={(e) => props.onChange(e.target.checked ? [...props.selected, value] : props.selected.filter((item) => item !== value))}
      />
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset className="field">
      <legend>{t('form.events')}</legend>
      <div className="checks">
        {box('*', t('form.allEvents'))}
        {families.map((prefix) => box(`${prefix}.*`, t('form.family', { prefix })))}
        {types.map((type) => box(type.name, type.description ? `${type.name} — ${type.description}` : type.name))}
        {extra.map((value) => box(value, value))}
      </div>
    </fieldset>
  );
}
