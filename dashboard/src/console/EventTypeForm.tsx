import { useId, useState } from 'react';
import type { Api } from '../api/client.js';
import type { EventType } from '../api/types.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine } from '../components/Feedback.js';
import { Field } from '../components/Field.js';
import { FormActions } from '../components/FormActions.js';
import { useAction } from '../components/use-action.js';
import { useI18n } from '../i18n/index.js';

/** The text as JSON: `undefined` when empty, an `Error` when it does not parse. */
function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Adds a type to the catalog: name, description, JSON Schema and example, each checked as JSON here first. */
export function EventTypeForm({ api, onClose, onCreated }: { api: Api; onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useI18n();
  const deprecatedId = useId();
  const [name, setName] = useState('');
  const [deprecated, setDeprecated] = useState(false);
  const [description, setDescription] = useState('');
  const [schema, setSchema] = useState('');
  const [example, setExample] = useState('');
  const [checked, setChecked] = useState(false);
  const parsed = { schema: parseJson(schema), example: parseJson(example) };
  const jsonError = (value: unknown, field: string) => (checked && value instanceof Error ? t('eventTypes.badJson', { field }) : null);
  const create = useAction(async () => {
    const body: Record<string, unknown> = { name: name.trim(), description, deprecated };
    if (parsed.schema !== undefined) body.schema = parsed.schema;
    if (parsed.example !== undefined) body.example = parsed.example;
    onCreated((await api<EventType>('POST', '/event-types', body)).name);
  });
  return (
    <Dialog title={t('eventTypes.create')} onClose={onClose} wide>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setChecked(true);
          if (!(parsed.schema instanceof Error) && !(parsed.example instanceof Error)) void create.run();
        }}
      >
        <Field label={t('eventTypes.name')}>
          {({ id }) => <input id={id} dir="ltr" className="mono" required value={name} onChange={(e) => setName(e.target.value)} placeholder={t('eventTypes.nameHint')} />}
        </Field>
        <Field label={t('eventTypes.description')}>{({ id }) => <input id={id} dir="auto" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
        <Field label={t('eventTypes.schema')} optional error={jsonError(parsed.schema, t('eventTypes.schema'))}>
          {({ id, describedBy }) => <textarea id={id} dir="ltr" className="mono" rows={5} value={schema} onChange={(e) => setSchema(e.target.value)} placeholder='{"type":"object"}' aria-describedby={describedBy} />}
        </Field>
        <Field label={t('eventTypes.example')} optional error={jsonError(parsed.example, t('eventTypes.example'))}>
          {({ id, describedBy }) => <textarea id={id} dir="ltr" className="mono" rows={4} value={example} onChange={(e) => setExample(e.target.value)} placeholder='{"text":"hi"}' aria-describedby={describedBy} />}
        </Field>
        <div className="field check">
          <input id={deprecatedId} type="checkbox" checked={deprecated} onChange={(e) => setDeprecated(e.target.checked)} />
          <label htmlFor={deprecatedId}>{t('eventTypes.deprecated')}</label>
        </div>
        <ErrorLine error={create.error} />
        <FormActions label={t('form.create')} busy={create.busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
