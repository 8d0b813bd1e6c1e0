import type { Attempt } from '../api/types.js';
import { Badge } from '../components/Badge.js';
import { serverText } from '../i18n/errors.js';
import { useI18n } from '../i18n/index.js';

/**
 * The same rule as the server's (design brief, "Keys and credentials"): values of these
 * headers are never shown. The server already redacts custom ones; the signature headers it
 * adds itself are masked here, so a screenshot of the log leaks nothing replayable.
 */
const SENSITIVE = /^(authorization|proxy-authorization|cookie)$|token|secret|key|auth|password|signature/i;
export const shownHeaderValue = (name: string, value: string) => (SENSITIVE.test(name) ? '[redacted]' : value);

/** Every attempt of a delivery, oldest first: when, what came back, how long, and what was sent. */
export function AttemptTimeline({ attempts, maxAttempts }: { attempts: Attempt[]; maxAttempts: number }) {
  const i18n = useI18n();
  const { t, date } = i18n;
  if (attempts.length === 0) return <p className="muted">{t('delivery.noAttempts')}</p>;
  return (
    <ol className="timeline">
      {attempts.map((attempt) => {
        const ok = attempt.statusCode !== null && attempt.statusCode < 300 && !attempt.error;
        return (
          <li key={attempt.number} className={`timeline-item ${ok ? 'ok' : 'bad'}`}>
            <h4>
              {t('delivery.attemptOf', { n: attempt.number, m: maxAttempts })} <Badge tone={ok ? 'ok' : 'bad'}>{attempt.statusCode ?? t('delivery.noResponse')}</Badge>{' '}
              <span className="muted small">
                <time dateTime={attempt.startedAt}>{date(attempt.startedAt)}</time> · {i18n.ms(attempt.durationMs)}
              </span>
            </h4>
            {attempt.error && (
              <p className="error">
                {t('test.error')}: <bdi>{serverText(i18n, attempt.error)}</bdi>
              </p>
            )}
            {attempt.responseBody !== null && attempt.responseBody !== '' && (
              <details open={!ok}>
                <summary>{t('delivery.responseBody')}</summary>
                <pre dir="ltr">{attempt.responseBody.slice(0, 2000)}</pre>
              </details>
            )}
            <details>
              <summary>{t('delivery.requestHeaders')}</summary>
              <pre dir="ltr">{Object.entries(attempt.requestHeaders).map(([name, value]) => `${name}: ${shownHeaderValue(name, value)}`).join('\n')}</pre>
            </details>
          </li>
        );
      })}
    </ol>
  );
}
