import { useId, useState } from 'react';
import { toEnvelope } from '../../../src/domain/event.js';
import { matchesFilter } from '../../../src/domain/filter.js';
import type { Endpoint } from '../api/types.js';
import { Field } from '../components/Field.js';
import { Select } from '../components/Select.js';
import { useI18n } from '../i18n/index.js';
import { parseFilter } from './endpoint-draft.js';
import type { PortalData } from './Portal.js';
import { testChoices, typeOptions } from './SendTestDialog.js';

/**
 * "Test this filter": runs a payload filter against an event type's example, in the browser,
 * with the server's own matcher (src/domain/filter.ts is pure code, bundled here), on the
 * envelope the tenant's endpoints receive. Nothing is sent.
 */
export function FilterTester({ data, endpoint }: { data: PortalData; endpoint: Endpoint }) {
  const { t } = useI18n();
  const choices = testChoices(endpoint, data.catalog);
  const [type, setType] = useState(choices[0]?.name ?? '');
  const [text, setText] = useState(endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '');
  const typeId = useId();
  const example = choices.find((choice) => choice.name === type)?.example ?? null;
  const envelope = toEnvelope({ id: 'evt_example', type, createdAt: new Date(0), data: example }, data.envelope);
  const filter = parseFilter(text);
  const verdict = filter instanceof Error ? null : matchesFilter(filter ?? null, envelope);
  return (
    <section aria-labelledby={`${typeId}-title`} className="card filter-tester">
      <h2 id={`${typeId}-title`}>{t('tester.title')}</h2>
      <Select label={t('deliveries.eventType')} value={type} onChange={setType} options={typeOptions(choices)} ltr />
      <Field label={t('form.filter')} error={filter instanceof Error ? t('form.filterInvalid') : null}>
        {({ id, describedBy }) => <textarea id={id} dir="ltr" className="mono" rows={3} value={text} onChange={(e) => setText(e.target.value)} aria-describedby={describedBy} />}
      </Field>
      <details>
        <summary>{t('tester.envelope')}</summary>
        <pre dir="ltr">{JSON.stringify(envelope, null, 2)}</pre>
      </details>
      {verdict !== null && (
        <p role="status" className={verdict ? 'notice' : 'warn-text'}>
          {verdict ? t('tester.match') : t('tester.noMatch')}
        </p>
      )}
    </section>
  );
}
