import { useI18n } from '../i18n/index.js';
import { TopBar } from '../components/Shell.js';
import { LanguageButton } from '../i18n/index.js';

/**
 * A `#token=` link opened in a tab that is already signed in (issue 12): following a link must
 * not silently swap whose data the tab shows, so the user chooses.
 */
export function ReplaceSession({ onReplace, onKeep }: { onReplace: () => void; onKeep: () => void }) {
  const { t } = useI18n();
  return (
    <div className="shell">
      <TopBar context="">
        <LanguageButton />
      </TopBar>
      <main className="centered">
        <section className="card signin" role="alertdialog" aria-labelledby="replace-title" aria-describedby="replace-text">
          <h1 id="replace-title">{t('session.replaceTitle')}</h1>
          <p id="replace-text">{t('session.replaceText')}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={onReplace}>
              {t('session.replace')}
            </button>
            <button type="button" onClick={onKeep}>
              {t('session.keep')}
            </button>
          </div>
        </section>
      </main>
    </div>
  );
}
