import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, makeApi } from '../api/client.js';
import type { Me } from '../api/types.js';
import { Console } from '../console/Console.js';
import { useI18n } from '../i18n/index.js';
import { Portal } from '../portal/Portal.js';
import { onPortalPage, tokenStore } from './link.js';
import { ReplaceSession } from './ReplaceSession.js';
import { SignIn } from './SignIn.js';

type Notice = 'invalid' | 'expired';
type Session =
  | { state: 'none'; notice?: Notice }
  /** A link arrived in a tab that is already signed in: ask before replacing that session. */
  | { state: 'confirm'; token: string; current: string }
  | { state: 'checking'; token: string }
  | { state: 'ready'; token: string; me: Me };

function firstSession(linkToken: string | null): Session {
  const stored = tokenStore.get();
  if (linkToken && stored && stored !== linkToken) return { state: 'confirm', token: linkToken, current: stored };
  const token = linkToken ?? stored;
  if (token) tokenStore.set(token);
  return token ? { state: 'checking', token } : { state: 'none' };
}

export function App({ linkToken }: { linkToken: string | null }) {
  const [session, setSession] = useState<Session>(() => firstSession(linkToken));
  const signOut = useCallback((notice?: Notice) => {
    tokenStore.set(null);
    setSession(notice ? { state: 'none', notice } : { state: 'none' });
  }, []);
  const use = useCallback((token: string) => {
    tokenStore.set(token);
    setSession({ state: 'checking', token });
  }, []);
  const token = session.state === 'checking' || session.state === 'ready' ? session.token : null;
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

  if (session.state === 'none') return <SignIn notice={session.notice} onToken={use} />;
  if (session.state === 'confirm') return <ReplaceSession onReplace={() => use(session.token)} onKeep={() => use(session.current)} />;
  if (session.state === 'checking' || !api) return <Loading />;
  if (session.me.kind === 'tenant') return <Portal api={api} tenantId={session.me.tenantId} onSignOut={() => signOut()} />;
  // The console is never shown on the frameable portal page.
  if (onPortalPage()) return <ConsoleElsewhere onSignOut={() => signOut()} />;
  return <Console api={api} onSignOut={() => signOut()} />;
}

function Loading() {
  const { t } = useI18n();
  return (
    <main className="centered" aria-busy="true">
      <p>{t('common.loading')}</p>
    </main>
  );
}

function ConsoleElsewhere({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useI18n();
  return (
    <main className="centered">
      <div className="card signin">
        <p>{t('signin.consoleElsewhere')}</p>
        <a href="/">{t('signin.openConsole')}</a>
        <button type="button" onClick={onSignOut}>
          {t('common.signOut')}
        </button>
      </div>
    </main>
  );
}
