import { useEffect, useId, useState } from 'react';
import { useI18n } from '../i18n/index.js';

/** A read-only value with a Copy button (secrets, links). */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} readOnly value={value} className="mono" dir="ltr" onFocus={(e) => e.currentTarget.select()} />
        <CopyButton value={value} />
      </div>
    </div>
  );
}

/** Copies `value`; says "Copied" for two seconds. `label` names what is copied for screen readers. */
export function CopyButton({ value, label }: { value: string; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="small-button"
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
        } catch {
          // Clipboard access needs a secure context or permission; the text stays selectable.
        }
        setCopied(true);
      }}
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}
