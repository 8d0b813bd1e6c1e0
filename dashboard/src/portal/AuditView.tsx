import type { Api } from '../api/client.js';
import type { AuditEntry } from '../api/types.js';
import { SectionHead } from '../components/SectionHead.js';
import { DataTable } from '../components/DataTable.js';
import { usePaged } from '../components/use-paged.js';
import { auditAction } from '../i18n/errors.js';
import { useI18n } from '../i18n/index.js';

export function AuditView({ api, base }: { api: Api; base: string }) {
  const i18n = useI18n();
  const { t, date } = i18n;
  const list = usePaged<AuditEntry>(api, `${base}/audit-log`);
  return (
    <section aria-labelledby="audit-title">
      <SectionHead id="audit-title" title={t('audit.title')} onRefresh={list.reload} />
      <DataTable
        label={t('audit.title')}
        state={list}
        empty={t('audit.empty')}
        rowKey={(entry) => entry.id}
        columns={[
          { header: t('audit.when'), cell: (entry) => <time dateTime={entry.createdAt}>{date(entry.createdAt)}</time> },
          { header: t('audit.actor'), cell: (entry) => <code dir="ltr">{entry.actor}</code> },
          { header: t('audit.action'), cell: (entry) => <span title={entry.action}>{auditAction(i18n, entry.action)}</span> },
          { header: t('audit.target'), cell: (entry) => <span className="mono small url" dir="ltr">{`${entry.targetType}/${entry.targetId}`}</span> },
        ]}
      />
    </section>
  );
}
