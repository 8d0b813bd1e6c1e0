import type { ReactNode } from 'react';
import type { EventType } from '../api/types.js';
import { useI18n } from '../i18n/index.js';
import { CatalogList } from './CatalogView.js';

const code = (name: string) => <code dir="ltr">{name}</code>;

/** Herald's own types (src/domain/event-type.ts): listed apart from the product's events. */
export const BUILT_IN_TYPES = new Set(['quota.warning', 'quota.exceeded', 'webhook.test']);

/**
 * The subscription checkboxes of the endpoint form: everything, each family, each type, and
 * Herald's own types apart. `keep` lists subscriptions the catalog no longer offers that stay
 * choosable, so saving an edit never drops them silently. The list grows with the dialog
 * (no scroll box inside a scrolling dialog); its error sits under it.
 */
export function EventPicker(props: { catalog: EventType[]; selected: string[]; onChange: (selected: string[]) => void; keep?: string[]; error?: string | null }) {
  const { t } = useI18n();
  const live = props.catalog.filter((type) => !type.deprecated);
  const product = live.filter((type) => !BUILT_IN_TYPES.has(type.name));
  const builtIn = live.filter((type) => BUILT_IN_TYPES.has(type.name));
  const families = [...new Set(product.map((type) => type.name.split('.')[0]!).filter(Boolean))].sort();
  const offered = new Set(['*', ...families.map((prefix) => `${prefix}.*`), ...live.map((type) => type.name)]);
  const extra = (props.keep ?? []).filter((value) => !offered.has(value));
  const box = (value: string, label: ReactNode, description?: string) => (
    <label key={value} className="check">
      <input
        type="checkbox"
        checked={props.selected.includes(value)}
        onChange={(e) => props.onChange(e.target.checked ? [...props.selected, value] : props.selected.filter((item) => item !== value))}
      />
      <span>
        {label}
        {description && <span className="muted small"> — <bdi>{description}</bdi></span>}
      </span>
    </label>
  );
  return (
    <fieldset className="field" aria-describedby={props.error ? 'events-error' : undefined}>
      <legend>{t('form.events')}</legend>
      <div className="checks">
        {box('*', t('form.allEvents'))}
        {families.map((prefix) => box(`${prefix}.*`, t('form.family', { prefix })))}
        {product.map((type) => box(type.name, code(type.name), type.description))}
        {extra.map((value) => box(value, code(value)))}
      </div>
      {builtIn.length > 0 && (
        <fieldset className="checks builtin">
          <legend className="small">{t('form.builtIn')}</legend>
          {builtIn.map((type) => box(type.name, code(type.name), type.description))}
        </fieldset>
      )}
      {props.error && (
        <small id="events-error" role="alert" className="error">
          {props.error}
        </small>
      )}
      <details className="catalog-peek">
        <summary>{t('form.openCatalog')}</summary>
        <CatalogList catalog={props.catalog} />
      </details>
    </fieldset>
  );
}
