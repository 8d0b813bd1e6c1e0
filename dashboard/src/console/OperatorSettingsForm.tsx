import { useEffect, useState } from 'react';
import type { Api } from '../api/client.js';
import type { OperatorSettings } from '../api/types.js';
import { ErrorLine, Notice } from '../components/Feedback.js';
import { Field } from '../components/Field.js';
import { useAction } from '../components/use-action.js';
import { useLoaded } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';

/** `failingAfter`: after how many consecutive failed attempts Herald sends `endpoint.failing`. */
export function OperatorSettingsForm({ api }: { api: Api }) {
  const { t } = useI18n();
  const settings = useLoaded(() => api<OperatorSettings>('GET', '/operator/settings'), [api]);
  const [failingAfter, setFailingAfter] = useState('');
  // A flag, not the text: the notice follows a change of language.
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.value) setFailingAfter(String(settings.value.failingAfter));
  }, [settings.value]);
  const save = useAction(async () => {
    setSaved(false);
    await api<OperatorSettings>('PATCH', '/operator/settings', { failingAfter: Number(failingAfter) });
    setSaved(true);
  });
  return (
    <form
      className="card inline-form"
      aria-label={t('operator.settings')}
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <Field label={t('operator.failingAfter')} hint={t('operator.failingAfterHint')}>
        {({ id, describedBy }) => (
          <input id={id} type="number" min={1} max={1000} required value={failingAfter} onChange={(e) => setFailingAfter(e.target.value)} aria-describedby={describedBy} />
        )}
      </Field>
      <button type="submit" disabled={save.busy || !settings.value}>
        {t('form.save')}
      </button>
      <Notice text={saved ? t('operator.settingsSaved') : null} />
      <ErrorLine error={settings.error ?? save.error} />
    </form>
  );
}
