import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { startFrameResize } from './app/frame-resize.js';
import { takeLink } from './app/link.js';
import { I18nProvider } from './i18n/index.js';
import './styles.css';

// A link followed in a tab where the app already runs changes only the fragment: start over,
// so the new token goes through the same checks (and the same question) as on a fresh load.
window.addEventListener('hashchange', () => {
  if (/(^#|&)token=/.test(window.location.hash)) window.location.reload();
});
const link = takeLink();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider lang={link.lang}>
      <App linkToken={link.token} />
    </I18nProvider>
  </StrictMode>,
);
startFrameResize();
