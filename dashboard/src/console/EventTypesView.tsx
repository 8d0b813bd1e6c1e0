import { useState } from 'react';
import type { Api } from '../api/client.js';
import type { EventType } from '../api/types.js';
import { Badge } from '../components/Badge.js';
import { SectionHead } from '../components/SectionHead.js';
import { DataTable } from '../components/DataTable.js';
import { Notice } from '../components/Feedback.js';
import { usePaged } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { EventTypeForm } from './EventTypeForm.js';

export function EventTypesView({ api }: { api: Api }) {
  const { t } = useI18n();
  const list = usePaged<EventType>(api, '/event-types');
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="types-title">
      <SectionHead id="types-title" title={t('eventTypes.title')}>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t('eventTypes.create')}
        </button>
      </SectionHead>
      <Notice text={notice} />
      <DataTable
        label={t('eventTypes.title')}
        state={list}
        empty={t('eventTypes.empty')}
        rowKey={(type) => type.name}
        columns={[
          {
            header: t('eventTypes.name'),
            cell: (type) => (
              <>
                <code dir="ltr">{type.name}</code> {type.deprecated && <Badge tone="warn">{t('eventTypes.deprecated')}</Badge>}
              </>
            ),
          },
          { header: t('eventTypes.description'), cell: (type) => <span dir="auto">{type.description}</span> },
          {
            header: t('eventTypes.showSchema'),
            cell: (type) =>
              (type.schema || type.example !== null) && (
                <details>
                  <summary>{t('eventTypes.showSchema')}</summary>
                  <pre dir="ltr">{JSON.stringify({ schema: type.schema, example: type.example }, null, 2)}</pre>
                </details>
              ),
          },
        ]}
      />
      {creating && (
        <EventTypeForm
          api={api}
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setNotice(t('eventTypes.createdNotice', { name }));
            list.reload();
          }}
        />
      )}
    </section>
  );
}
