import type { ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';
import { ErrorLine } from './Feedback.js';
import type { ListState } from './use-paged.js';

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
  /** Numbers and short values: kept on one line. */
  className?: string;
}

/**
 * The one loading / error / empty / content block of the dashboard. `children` draws the
 * items once they are there; "Load more" shows while the list has a next page.
 */
export function Loaded<T>({ state, empty, children }: { state: ListState<T>; empty: string; children: (items: T[]) => ReactNode }) {
  const { t } = useI18n();
  return (
    <>
      <ErrorLine error={state.error} />
      {state.items === null ? (
        !state.error && (
          <p aria-busy="true" className="muted">
            {t('common.loading')}
          </p>
        )
      ) : state.items.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        children(state.items)
      )}
      {state.items && state.loadMore && (
        <button type="button" onClick={state.loadMore}>
          {t('common.loadMore')}
        </button>
      )}
    </>
  );
}

/**
 * A table of items with named columns. Below 640 px each row becomes a card whose cells carry
 * their column's name (styles.css, `.data-table`), so no page ever scrolls sideways on a phone.
 */
export function DataTable<T>(props: { label: string; state: ListState<T>; empty: string; columns: Column<T>[]; rowKey: (item: T) => string; rowAttributes?: (item: T) => Record<string, string> }) {
  return (
    <Loaded state={props.state} empty={props.empty}>
      {(items) => (
        <table className="data-table" aria-label={props.label}>
          <thead>
            <tr>
              {props.columns.map((column) => (
                <th key={column.header} scope="col">
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={props.rowKey(item)} {...props.rowAttributes?.(item)}>
                {props.columns.map((column) => (
                  <td key={column.header} data-label={column.header} className={column.className}>
                    {column.cell(item)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Loaded>
  );
}
