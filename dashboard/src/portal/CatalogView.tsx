import type { EventType } from '../api/types.js';
import { Badge } from '../components/Badge.js';
import { useI18n } from '../i18n/index.js';
import { schemaFields } from './schema-fields.js';

/** The "Event catalog" tab: every type the product sends, what it means and what it carries. */
export function CatalogView({ catalog }: { catalog: EventType[] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="catalog-title">
      <div className="section-head">
        <h1 id="catalog-title">{t('catalog.title')}</h1>
      </div>
      <p className="muted">{t('catalog.intro')}</p>
      {catalog.length === 0 ? <p className="empty">{t('eventTypes.empty')}</p> : <CatalogList catalog={catalog} />}
    </section>
  );
}

export function CatalogList({ catalog }: { catalog: EventType[] }) {
  const { t } = useI18n();
  return (
    <ul className="catalog" aria-label={t('catalog.title')}>
      {catalog.map((type) => {
        const fields = schemaFields(type.schema);
        return (
          <li key={type.name} className="card catalog-entry">
            <h2>
              <code dir="ltr">{type.name}</code> {type.deprecated && <Badge tone="warn">{t('eventTypes.deprecated')}</Badge>}
            </h2>
            {type.description && <p dir="auto">{type.description}</p>}
            {fields.length > 0 && (
              <table className="schema-fields" aria-label={t('catalog.fields', { name: type.name })}>
                <thead>
                  <tr>
                    <th scope="col">{t('catalog.field')}</th>
                    <th scope="col">{t('catalog.type')}</th>
                    <th scope="col">{t('catalog.about')}</th>
                  </tr>
                </thead>
                <tbody>
                  {fields.map((field) => (
                    <tr key={field.path}>
                      <td>
                        <code dir="ltr">{field.path}</code>
                        {field.required && <span className="required"> {t('catalog.required')}</span>}
                      </td>
                      <td>
                        <code dir="ltr">{field.type}</code>
                      </td>
                      <td dir="auto">{field.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {type.example !== null && type.example !== undefined && (
              <details>
                <summary>{t('catalog.example')}</summary>
                <pre dir="ltr">{JSON.stringify(type.example, null, 2)}</pre>
              </details>
            )}
          </li>
        );
      })}
    </ul>
  );
}
