import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, makeApi, type Me } from './api.js';
import { Console } from './Console.js';
import { LanguageButton, useI18n } from './i18n/index.js';
import { Portal } from './Portal.js';

const TOKEN_KEY = 'herald.token';

/** A portal link carries its token in the fragment: keep it for this tab only and take it out of the address bar. */
function takeTokenFromFragment(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  const token = decodeURIComponent(match[1]!);
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}

type Session = { state: 'none'; notice?: 'invalid' | 'expired' } | { state: 'checking'; token: string } | { state: 'ready'; token: string; me: Me };

export function App() {
  const [session, setSession] = useState<Session>(() => {
    const token = takeTokenFromFragment() ?? sessionStorage.getItem(TOKEN_KEY);
    return token ? { state: 'checking', token } : { state: 'none' };
  });
  const signOut = useCallback((notice?: 'invalid' | 'expired') => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(notice ? { state: 'none', notice } : { state: 'none' });
  }, []);
  const token = session.state === 'none' ? null : session.token;
  const api = useMemo(() => (token ? makeApi(token, () => signOut('expired')) : null), [token, signOut]);

  useEffect(() => {
    if (session.state !== 'checking' || !api) return;
    let live = true;
    api<Me>('GET', '/me').then(
      (me) => live && setSession({ state: 'ready', token: session.token, me }),
      (error) => live && signOut(error instanceof ApiError && error.status === 401 ? 'invalid' : 'expired'),
    );
    return () => {
      live = false;
    };
  }, [session, api, signOut]);

  if (session.state === 'none') {
    return (
      <SignIn
        notice={session.notice}
        onToken={(value) => {
          sessionStorage.setItem(TOKEN_KEY, value);
          setSession({ state: 'checking', token: value });
        }}
      />
    );
  }
  if (session.state === 'checking' || !api) return <Loading />;
  if (session.me.kind === 'admin') return <Console api={api} onSignOut={() => signOut()} />;
  return <Portal api={api} tenantId={session.me.tenantId} onSignOut={() => signOut()} />;
}

function Loading() {
  const { t } = useI18n();
  return (
    <main className="centered" aria-busy="true">
      <p>{t('common.loading')}</p>
    </main>
  );
}

function SignIn({ onToken, notice }: { onToken: (token: string) => void; notice?: 'invalid' | 'expired' }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const id = useId();
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <strong>{t('app.title')}</strong> <span className="muted">{t('app.subtitle')}</span>
        </div>
        <div className="topbar-actions">
          <LanguageButton />
        </div>
      </header>
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
            <input id={id} type="password" autoComplete="off" className="mono" value={value} onChange={(e) => setValue(e.target.value)} required />
          </div>
          <button type="submit" className="primary">
            {t('signin.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}
