// Receives Herald webhooks, verifies them with @herald/verify and posts a one-line summary to
// a Slack incoming webhook (any service that accepts Slack's `{"text": …}` payload works).
//
//   HERALD_WEBHOOK_SECRET=whsec_… SLACK_WEBHOOK_URL=https://hooks.slack.com/services/… PORT=3000 node notifier.js
//
// When Slack fails, the notifier answers 502 so Herald retries the delivery later.
// In your own project: `npm install @herald/verify` and import from '@herald/verify'.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WebhookVerificationError } from '../../packages/verify/src/index.js';

export interface Envelope {
  id: string;
  type: string;
  created_at?: string;
  createdAt?: string;
  data: unknown;
}

/** The Slack message for one event: type and id in bold code, then the data, cut to 500 characters. */
export function slackMessage(event: Envelope): { text: string } {
  const data = JSON.stringify(event.data);
  return { text: `*${event.type}* \`${event.id}\`\n\`\`\`${data.length > 500 ? `${data.slice(0, 500)}…` : data}\`\`\`` };
}

export interface SlackNotifier {
  url: string;
  close(): Promise<void>;
}

export async function startSlackNotifier(options: { secret: string; slackWebhookUrl: string; port?: number; host?: string }): Promise<SlackNotifier> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      let event: Envelope;
      try {
        event = (await verifyWebhook(Buffer.concat(chunks).toString('utf8'), req.headers, { secret: options.secret })) as Envelope;
      } catch (error) {
        const message = error instanceof WebhookVerificationError ? error.message : 'invalid payload';
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end(message);
      }
      try {
        const slack = await fetch(options.slackWebhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(slackMessage(event)),
          signal: AbortSignal.timeout(5000),
        });
        res.writeHead(slack.ok ? 204 : 502).end();
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.HERALD_WEBHOOK_SECRET;
  const slackWebhookUrl = process.env.SLACK_WEBHOOK_URL;
  if (!secret || !slackWebhookUrl) throw new Error('set HERALD_WEBHOOK_SECRET and SLACK_WEBHOOK_URL');
  const notifier = await startSlackNotifier({ secret, slackWebhookUrl, port: Number(process.env.PORT ?? 3000) });
  console.log(`forwarding Herald webhooks to Slack; receiving on ${notifier.url}`);
}
