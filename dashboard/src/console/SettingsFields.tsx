import { useId } from 'react';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import type { SettingsDraft } from './settings-draft.js';

const SCHEMES = ['standard-webhooks', 'timestamped-hex', 'hub-sha256', 'body-hex'];

export function SettingsFields({ draft, onChange }: { draft: SettingsDraft; onChange: (draft: SettingsDraft) => void }) {
  const { t } = useI18n();
  const base = useId();
  const id = (name: string) => `${base}-${name}`;
  const set = (key: keyof SettingsDraft) => (e: { target: { value: string } }) => onChange({ ...draft, [key]: e.target.value });
  const text = (key: keyof SettingsDraft, label: MessageKey, props: { numeric?: boolean; hint?: MessageKey } = {}) => (
    <div className="field">
      <label htmlFor={id(key)}>{t(label)}</label>
      <input id={id(key)} dir="ltr" className="mono" inputMode={props.numeric ? 'numeric' : undefined} value={draft[key]} onChange={set(key)} aria-describedby={props.hint ? `${id(key)}-hint` : undefined} />
      {props.hint && (
        <small id={`${id(key)}-hint`} className="muted">
          {t(props.hint)}
        </small>
      )}
    </div>
  );
  return (
    <>
      <div className="field">
        <label htmlFor={id('scheme')}>{t('tenants.scheme')}</label>
        <select id={id('scheme')} value={draft.scheme} onChange={set('scheme')}>
          {SCHEMES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      {draft.scheme === 'body-hex' && text('header', 'settings.header')}
      {draft.scheme === 'timestamped-hex' && text('prefix', 'settings.prefix')}
      <div className="field">
        <label htmlFor={id('envelope')}>{t('tenants.envelope')}</label>
        <select id={id('envelope')} value={draft.envelope} onChange={set('envelope')}>
          <option value="snake">{t('tenants.envelope.snake')}</option>
          <option value="camel">{t('tenants.envelope.camel')}</option>
        </select>
      </div>
      {text('retrySchedule', 'settings.retrySchedule', { hint: 'settings.retryScheduleHint' })}
      {text('attemptTimeoutMs', 'settings.attemptTimeoutMs', { numeric: true })}
      {text('autoDisableAfterFailures', 'settings.autoDisable', { numeric: true, hint: 'settings.autoDisableHint' })}
      {text('userAgent', 'settings.userAgent')}
      <fieldset className="field">
        <legend>{t('settings.quota')}</legend>
        <label htmlFor={id('quotaPeriod')}>{t('settings.quotaPeriod')}</label>
        <select id={id('quotaPeriod')} value={draft.quotaPeriod} onChange={set('quotaPeriod')}>
          <option value="none">{t('settings.quotaNone')}</option>
          <option value="day">{t('settings.quotaDay')}</option>
          <option value="month">{t('settings.quotaMonth')}</option>
        </select>
        {draft.quotaPeriod !== 'none' && (
          <>
            <label htmlFor={id('quotaLimit')}>{t('settings.quotaLimit')}</label>
            <input id={id('quotaLimit')} dir="ltr" className="mono" inputMode="numeric" value={draft.quotaLimit} onChange={set('quotaLimit')} />
          </>
        )}
      </fieldset>
      {text('retentionDays', 'settings.retentionDays', { numeric: true })}
      <fieldset className="field">
        <legend>{t('settings.portal')}</legend>
        {text('brandName', 'settings.brandName', { hint: 'settings.brandHint' })}
        {text('brandColor', 'settings.brandColor', { hint: 'settings.brandColorHint' })}
      </fieldset>
    </>
  );
}
