import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';

/**
 * A labelled control with its hint and its own error right under it. `children` receives the
 * id and the describedby list to put on the control.
 */
export function Field(props: { label: string; optional?: boolean; hint?: string; error?: string | null; children: (ids: { id: string; describedBy: string | undefined }) => ReactNode }) {
  const { t } = useI18n();
  const id = useId();
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label} {props.optional && <span className="muted">{t('common.optional')}</span>}
      </label>
      {props.children({ id, describedBy: described })}
      {props.hint && (
        <small id={`${id}-hint`} className="muted">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${id}-error`} role="alert" className="error">
          {props.error}
        </small>
      )}
    </div>
  );
}
