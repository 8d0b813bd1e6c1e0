import { useState } from 'react';
import { tenantPath, type Api } from '../api/client.js';
import type { Tenant } from '../api/types.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine } from '../components/Feedback.js';
import { Field } from '../components/Field.js';
import { FormActions } from '../components/FormActions.js';
import { useAction } from '../components/use-action.js';
import { useI18n } from '../i18n/index.js';
import { draftFrom, settingsFrom, type SettingsDraft } from './settings-draft.js';
import { SettingsFields } from './SettingsFields.js';

/** The one tenant form: creates a tenant when `tenant` is absent, edits its settings when present. */
export function TenantForm({ api, tenant, onClose, onSaved }: { api: Api; tenant?: Tenant; onClose: () => void; onSaved: (id: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(tenant?.settings));
  const save = useAction(async () => {
    if (tenant) {
      await api<Tenant>('PATCH', tenantPath(tenant.id), { settings: settingsFrom(draft) });
      return onSaved(tenant.id);
    }
    const body: Record<string, unknown> = { name: name.trim(), settings: settingsFrom(draft) };
    if (id.trim()) body.id = id.trim();
    onSaved((await api<Tenant>('POST', '/tenants', body)).id);
  });
  return (
    <Dialog title={tenant ? t('settings.title', { id: tenant.id }) : t('tenants.create')} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save.run();
        }}
      >
        {!tenant && (
          <>
            <Field label={t('tenants.name')}>{({ id: fieldId }) => <input id={fieldId} dir="auto" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
            <Field label={t('tenants.id')} optional hint={t('tenants.idHint')}>
              {({ id: fieldId, describedBy }) => <input id={fieldId} dir="ltr" className="mono" pattern="[a-zA-Z0-9_\-]{1,64}" value={id} onChange={(e) => setId(e.target.value)} aria-describedby={describedBy} />}
            </Field>
          </>
        )}
        <SettingsFields draft={draft} onChange={setDraft} />
        <ErrorLine error={save.error} />
        <FormActions label={tenant ? (save.busy ? t('form.saving') : t('form.save')) : t('form.create')} busy={save.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
