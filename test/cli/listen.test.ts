import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook } from '../../packages/verify/src/index.js';
import { freePort } from '../support/herald-process.js';
import { ADMIN_TOKEN, eventually, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';
import { startCli, type LongRunning } from './cli-support.js';

let herald: TestHerald;
let receiver: Receiver;
let listener: LongRunning | null = null;
let port: number;
let key: string;

beforeAll(async () => {
  port = await freePort();
  herald = await startTestHerald({ port, host: '127.0.0.1' });
  for (const name of ['chat.message', 'chat.reply', 'billing.paid']) expect((await herald.api('POST', '/api/v1/event-types', { name })).status).toBe(201);
  expect((await herald.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  key = (await herald.api('POST', '/api/v1/tenants/acme/api-keys', {})).body.key;
  receiver = await Receiver.start();
});
afterAll(async () => {
  await listener?.stop();
  await receiver?.close();
  await herald?.stop();
  if (herald) removeDir(herald.dir);
});

async function publish(type: string, data: unknown): Promise<string> {
  const answer = await herald.api('POST', '/api/v1/tenants/acme/events', { type, data });
  expect(answer.status).toBe(202);
  return answer.body.id;
}

describe('herald listen', () => {
  it('forwards matching events signed with the printed secret, and loses none across a Herald restart', async () => {
    listener = startCli(['listen', '--url', herald.url, '--key', key, '--forward', `${receiver.url}/webhooks`, '--events', 'chat.*']);
    const [, secret] = await listener.waitFor(/Signing secret: (whsec_\S+)/);
    await listener.waitFor(/Ready/);

    const sent = [await publish('chat.message', { n: 1 }), await publish('billing.paid', { n: 2 }), await publish('chat.reply', { n: 3 })];
    await receiver.waitFor(2);
    const webhook = new Webhook(secret!);
    for (const request of receiver.received) {
      expect(request.url).toBe('/webhooks');
      const payload = webhook.verify(request.body, request.headers as Record<string, string>) as { id: string };
      expect(request.headers['webhook-id']).toBe(payload.id);
    }
    expect(receiver.received.map((r) => JSON.parse(r.body).id)).toEqual([sent[0], sent[2]]);
    await listener.waitFor(new RegExp(`chat\\.reply\\s+${sent[2]}\\s+200\\s+\\d+ ms`));

    // Herald goes away and comes back on the same port and database; events published while
    // the listener is still reconnecting must arrive too.
    await herald.stop();
    await listener.waitFor(/reconnecting/);
    herald = { ...(await startTestHerald({ port, host: '127.0.0.1' }, herald.dir)), dir: herald.dir };
    const later = [await publish('chat.message', { n: 4 }), await publish('chat.message', { n: 5 })];
    await listener.waitFor(/Ready[^\n]*\n(?:.*\n)*?.*Ready/); // connected a second time
    later.push(await publish('chat.reply', { n: 6 }));
    await receiver.waitFor(5);
    await eventually(async () => receiver.received.length >= 5);
    const ids = receiver.received.map((r) => JSON.parse(r.body).id);
    expect(ids).toEqual([sent[0], sent[2], ...later]);
    for (const request of receiver.received) webhook.verify(request.body, request.headers as Record<string, string>);
  });

  it('re-signs with a fresh Ed25519 key pair under --scheme ed25519, printing only the public key', async () => {
    const edReceiver = await Receiver.start();
    const run = startCli(['listen', '--url', herald.url, '--key', key, '--forward', `${edReceiver.url}/ed`, '--scheme', 'ed25519']);
    try {
      const [, publicKey] = await run.waitFor(/Public key: (whpk_\S+)/);
      await run.waitFor(/Ready/);
      const id = await publish('chat.message', { n: 'ed' });
      await edReceiver.waitFor(1);
      const [request] = edReceiver.received;
      expect(request!.headers['webhook-signature']).toMatch(/^v1a,/);
      const payload = await verifyWebhook(request!.body, request!.headers as Record<string, string>, { scheme: 'ed25519', publicKey: publicKey! });
      expect(payload).toMatchObject({ id });
    } finally {
      await run.stop();
      await edReceiver.close();
    }
  });

  it('needs --tenant with an admin token, and says so', async () => {
    const run = startCli(['listen', '--url', herald.url, '--key', ADMIN_TOKEN, '--forward', `${receiver.url}/x`]);
    await run.waitFor(/pass --tenant/);
    await run.stop();
  });
});
