import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackNotifier, type SlackNotifier } from '../../examples/slack-notifier/notifier.js';
import { eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

let herald: TestHerald;
let slack: Receiver;
let notifier: SlackNotifier;
let slackUp = false;

beforeAll(async () => {
  herald = await startTestHerald();
  // A loopback fake of Slack's incoming webhooks: `ok` with 200, or 500 while "down".
  slack = await Receiver.start((_request, res) => void (slackUp ? res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') : res.writeHead(500).end('down')));
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'ticket.opened' })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'help', name: 'Help', settings: { retrySchedule: [0, 1, 1, 1] } })).status).toBe(201);
});
afterAll(async () => {
  await notifier?.close();
  await slack?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
});

describe('examples/slack-notifier', () => {
  it('posts a verified event to the Slack webhook, and gets it retried while Slack is down', async () => {
    const created = await herald.api('POST', '/api/v1/tenants/help/endpoints', { url: 'http://127.0.0.1:1/placeholder', eventTypes: ['ticket.*'] });
    notifier = await startSlackNotifier({ secret: created.body.secret, slackWebhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    expect((await herald.api('PATCH', `/api/v1/tenants/help/endpoints/${created.body.id}`, { url: notifier.url })).status).toBe(200);

    const event = (await herald.api('POST', '/api/v1/tenants/help/events', { type: 'ticket.opened', data: { subject: 'Printer on fire' } })).body;
    await slack.waitFor(1); // Slack answered 500: the notifier said 502, Herald will retry
    slackUp = true;
    const [, second] = await slack.waitFor(2, 20_000);
    expect(second!.url).toBe('/services/T000/B000/XXXX');
    expect(second!.headers['content-type']).toBe('application/json');
    const message = JSON.parse(second!.body) as { text: string };
    expect(message.text).toContain('*ticket.opened*');
    expect(message.text).toContain(event.id);
    expect(message.text).toContain('Printer on fire');
    const delivery = await eventually(async () => {
      const page = await herald.api('GET', '/api/v1/tenants/help/deliveries');
      const found = page.body.data[0];
      return found?.status === 'succeeded' ? found : null;
    }, 20_000);
    expect(delivery.attemptCount).toBe(2);
  });

  it('refuses unsigned requests without calling Slack', async () => {
    const before = slack.received.length;
    const answer = await fetch(notifier.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"evt_1","type":"x","data":{}}' });
    expect(answer.status).toBe(400);
    expect(slack.received.length).toBe(before);
  });
});
