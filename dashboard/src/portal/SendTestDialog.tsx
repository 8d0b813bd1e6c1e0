import { useState } from 'react';
import type { Endpoint, EventType, TestResult } from '../api/types.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine } from '../components/Feedback.js';
import { Select } from '../components/Select.js';
import { useAction } from '../components/use-action.js';
import { useI18n } from '../i18n/index.js';
import type { PortalData, PortalPlace } from './Portal.js';
import { TestResultView } from './TestResultView.js';

const TEST_TYPE = 'webhook.test';

/** `chat.*` covers `chat.message`; `*` covers everything. */
const covers = (pattern: string, name: string) => pattern === '*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1)));

/** The types a test may send: those the endpoint subscribes to, then the built-in test event. */
export function testChoices(endpoint: Endpoint, catalog: EventType[]): EventType[] {
  const subscribed = catalog.filter((type) => type.name !== TEST_TYPE && endpoint.eventTypes.some((pattern) => covers(pattern, type.name)));
  const test = catalog.find((type) => type.name === TEST_TYPE);
  return test ? [...subscribed, test] : subscribed;
}

export const typeOptions = (types: EventType[]) => types.map((type) => ({ value: type.name, label: type.name }));

/** Send one test event of a chosen type, see the payload first, then the answer and a link to its delivery. */
export function SendTestDialog({ data, endpoint, path, go, onClose }: { data: PortalData; endpoint: Endpoint; path: string; go: (place: PortalPlace) => void; onClose: () => void }) {
  const { t } = useI18n();
  const choices = testChoices(endpoint, data.catalog);
  const [type, setType] = useState(choices[0]?.name ?? TEST_TYPE);
  const [result, setResult] = useState<TestResult | null>(null);
  const send = useAction(async () => {
    setResult(null);
    setResult(await data.api<TestResult>('POST', `${path}/test`, { eventType: type }));
    void data.reload();
  });
  const example = choices.find((choice) => choice.name === type)?.example;
  return (
    <Dialog title={t('test.dialogTitle')} onClose={onClose} wide>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send.run();
        }}
      >
        <p className="muted url" dir="ltr">
          {endpoint.url}
        </p>
        <Select label={t('deliveries.eventType')} value={type} onChange={setType} options={typeOptions(choices)} ltr />
        <h3>{t('test.payload')}</h3>
        <pre dir="ltr" data-testid="test-payload">
          {example === undefined || example === null ? t('test.noExample') : JSON.stringify(example, null, 2)}
        </pre>
        <div className="actions">
          <button type="submit" className="primary" disabled={send.busy}>
            {send.busy ? t('test.sending') : t('endpoints.sendTest')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
        <ErrorLine error={send.error} />
      </form>
      {result && <TestResultView result={result} onOpenDelivery={() => go({ tab: 'deliveries', deliveryId: result.deliveryId, endpointId: endpoint.id })} />}
    </Dialog>
  );
}
