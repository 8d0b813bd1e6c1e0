import type { TestResult } from '../api/types.js';
import { serverText } from '../i18n/errors.js';
import { useI18n } from '../i18n/index.js';

export function TestResultView({ result, onOpenDelivery }: { result: TestResult; onOpenDelivery: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <section className={`result ${result.success ? 'ok' : 'bad'}`} aria-label={t('test.title')} data-testid="test-result">
      <h3>
        {t('test.title')}: <span>{result.success ? t('test.success') : t('test.failure')}</span>
      </h3>
      <dl className="facts">
        <dt>{t('test.status')}</dt>
        <dd>{result.statusCode ?? t('delivery.noResponse')}</dd>
        <dt>{t('test.duration')}</dt>
        <dd>{i18n.ms(result.durationMs)}</dd>
        {result.error && (
          <>
            <dt>{t('test.error')}</dt>
            <dd>
              <bdi>{serverText(i18n, result.error)}</bdi>
            </dd>
          </>
        )}
      </dl>
      {result.responseBody !== null && (
        <>
          <h4>{t('test.body')}</h4>
          <pre dir="ltr">{result.responseBody.slice(0, 500)}</pre>
        </>
      )}
      <button type="button" className="link" onClick={onOpenDelivery}>
        {t('test.openDelivery')}
      </button>
    </section>
  );
}
