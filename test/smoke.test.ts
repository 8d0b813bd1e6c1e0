import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Receiver } from './support/receiver.js';
import { removeDir, startTestHerald, type TestHerald } from './support/herald.js';

let herald: TestHerald;
let receiver: Receiver;

beforeAll(async () => {
  herald = await startTestHerald();
  receiver = await Receiver.start();
});
afterAll(async () => {
  await herald.stop();
  await receiver.close();
  removeDir(herald.dir);
});

it('publishes an event that arrives signed at the receiver', async () => {
  expect((await herald.api('POST', '/api/v1/event-types', { name: 'chat.message', description: 'A message' })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  const endpoint = await herald.api('POST', '/api/v1/tenants/acme/endpoints', { url: `${receiver.url}/hook`, eventTypes: ['chat.*'] });
  expect(endpoint.status).toBe(201);
  const published = await herald.api('POST', '/api/v1/tenants/acme/events', { type: 'chat.message', data: { text: 'hi' } });
  expect(published.status).toBe(202);
  const [request] = await receiver.waitFor(1);
  const payload = new Webhook(endpoint.body.secret).verify(request!.body, request!.headers as Record<string, string>);
  expect(payload).toMatchObject({ id: published.body.id, type: 'chat.message', data: { text: 'hi' } });
});
