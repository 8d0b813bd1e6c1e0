import { useId, useState } from 'react';
import { TopBar } from '../components/Shell.js';
import { LanguageButton, useI18n } from '../i18n/index.js';

export function SignIn({ onToken, notice }: { onToken: (token: string) => void; notice?: 'invalid' | 'expired' }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const id = useId();
  return (
    <div className="shell">
      <TopBar context={t('app.subtitle')}>
        <LanguageButton />
      </TopBar>
      <main className="centered">
        <form
          className="card signin"
          onSubmit={(event) => {
            event.preventDefault();
            if (value.trim()) onToken(value.trim());
          }}
        >
          <h1>{t('signin.title')}</h1>
          <p className="muted">{t('signin.intro')}</p>
          {notice && (
            <p role="alert" className="error">
              {t(notice === 'invalid' ? 'signin.invalid' : 'signin.expired')}
            </p>
          )}
          <div className="field">
            <label htmlFor={id}>{t('signin.token')}</label>
            <input id={id} type="password" autoComplete="off" className="mono" dir="ltr" value={value} onChange={(e) => setValue(e.target.value)} required />
          </div>
          <button type="submit" className="primary">
            {t('signin.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}
