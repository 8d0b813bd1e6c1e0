import { useState } from 'react';
import type { CreatedEndpoint, Endpoint } from '../api/types.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine } from '../components/Feedback.js';
import { Field } from '../components/Field.js';
import { FormActions } from '../components/FormActions.js';
import { useAction } from '../components/use-action.js';
import { useI18n } from '../i18n/index.js';
import { createBody, draftOf, parseFilter, patchBody, urlProblem, type EndpointDraft } from './endpoint-draft.js';
import { EventPicker } from './EventPicker.js';
import type { PortalData } from './Portal.js';

/**
 * The one endpoint form: adds an endpoint when `endpoint` is absent, edits it when present.
 * Secret and verify token are set at creation only (rotation replaces a secret).
 */
export function EndpointForm({ data, endpoint, onClose, onSaved }: { data: PortalData; endpoint?: Endpoint; onClose: () => void; onSaved: (created: CreatedEndpoint | null) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<EndpointDraft>(() => draftOf(endpoint));
  const [eventsError, setEventsError] = useState<string | null>(null);
  const set = (patch: Partial<EndpointDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const url = urlProblem(draft.url);
  const filterInvalid = parseFilter(draft.filter) instanceof Error;
  const path = endpoint && `${data.base}/endpoints/${encodeURIComponent(endpoint.id)}`;
  const save = useAction(async () => {
    if (!path) return onSaved(await data.api<CreatedEndpoint>('POST', `${data.base}/endpoints`, createBody(draft)));
    const patch = patchBody(draft, endpoint!);
    if (Object.keys(patch).length > 0) await data.api('PATCH', path, patch);
    onSaved(null);
  });

  return (
    <Dialog title={t(endpoint ? 'form.editEndpoint' : 'form.newEndpoint')} onClose={onClose} wide>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setEventsError(draft.events.length === 0 ? t('form.pickEvent') : null);
          if (draft.events.length > 0 && !filterInvalid) void save.run();
        }}
      >
        <Field label={t('form.url')} hint={endpoint ? undefined : t('form.urlHint')} error={url && t(url)}>
          {({ id, describedBy }) => (
            <input id={id} type="url" dir="ltr" className="mono" required value={draft.url} onChange={(e) => set({ url: e.target.value })} placeholder="https://example.com/webhooks" aria-describedby={describedBy} />
          )}
        </Field>
        <EventPicker catalog={data.catalog} selected={draft.events} onChange={(events) => set({ events })} keep={endpoint?.eventTypes} error={eventsError} />
        <Field label={t('form.description')}>
          {({ id }) => <input id={id} dir="auto" value={draft.description} onChange={(e) => set({ description: e.target.value })} maxLength={1000} />}
        </Field>
        <Field label={t('form.filter')} optional hint={filterInvalid ? undefined : t('form.filterHint')} error={filterInvalid ? t('form.filterInvalid') : null}>
          {({ id, describedBy }) => (
            <textarea id={id} dir="ltr" className="mono" rows={3} value={draft.filter} onChange={(e) => set({ filter: e.target.value })} placeholder='{"data.plan": "pro"}' aria-invalid={filterInvalid} aria-describedby={describedBy} />
          )}
        </Field>
        <Field label={t('endpoint.ordering')} hint={t('endpoint.orderingHint')}>
          {({ id, describedBy }) => (
            <select id={id} value={draft.ordering} onChange={(e) => set({ ordering: e.target.value as EndpointDraft['ordering'] })} aria-describedby={describedBy}>
              <option value="unordered">{t('endpoint.unordered')}</option>
              <option value="fifo">{t('endpoint.fifo')}</option>
            </select>
          )}
        </Field>
        <Field label={t('endpoint.inFlight')} optional hint={t('form.inFlightHint')}>
          {({ id, describedBy }) => (
            <input id={id} type="number" dir="ltr" inputMode="numeric" min={1} max={1000} step={1} value={draft.maxInFlight} onChange={(e) => set({ maxInFlight: e.target.value })} aria-describedby={describedBy} />
          )}
        </Field>
        {!endpoint && (
          <>
            <Field label={t('form.secret')} optional hint={t('form.secretHint')}>
              {({ id, describedBy }) => (
                <input id={id} className="mono" dir="ltr" autoComplete="off" minLength={8} maxLength={256} value={draft.secret} onChange={(e) => set({ secret: e.target.value })} aria-describedby={describedBy} />
              )}
            </Field>
            <Field label={t('form.verifyToken')} optional hint={t('form.verifyTokenHint')}>
              {({ id, describedBy }) => <input id={id} className="mono" dir="ltr" autoComplete="off" value={draft.verifyToken} onChange={(e) => set({ verifyToken: e.target.value })} aria-describedby={describedBy} />}
            </Field>
          </>
        )}
        <ErrorLine error={save.error} />
        <FormActions label={endpoint ? (save.busy ? t('form.saving') : t('form.save')) : save.busy ? t('form.creating') : t('form.create')} busy={save.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
