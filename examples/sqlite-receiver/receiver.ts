// A Herald webhook receiver that verifies each delivery with @herald/verify and stores it in
// SQLite, once per event id (Herald delivers at least once: a retry must not store twice).
//
//   HERALD_WEBHOOK_SECRET=whsec_… PORT=3000 DATABASE=webhooks.db node receiver.js
//
// In your own project: `npm install @herald/verify better-sqlite3` and import from '@herald/verify'.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { verifyWebhook, WebhookVerificationError } from '../../packages/verify/src/index.js';

export interface StoredEvent {
  id: string;
  type: string;
  created_at: string;
  data: string;
  received_at: string;
  deliveries: number;
}

export interface SqliteReceiver {
  url: string;
  db: Database.Database;
  close(): Promise<void>;
}

export async function startSqliteReceiver(options: { secret: string; database: string; port?: number; host?: string }): Promise<SqliteReceiver> {
  const db = new Database(options.database);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 1
  )`);
  // The event id is the primary key: a repeat delivery only counts itself.
  const store = db.prepare(
    `INSERT INTO events (id, type, created_at, data, received_at) VALUES (@id, @type, @created_at, @data, @received_at)
     ON CONFLICT (id) DO UPDATE SET deliveries = deliveries + 1`,
  );

  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      // Verify the raw bytes, before any JSON parsing.
      const body = Buffer.concat(chunks).toString('utf8');
      let event: { id: string; type: string; created_at?: string; createdAt?: string; data: unknown };
      try {
        event = (await verifyWebhook(body, req.headers, { secret: options.secret })) as typeof event;
      } catch (error) {
        const message = error instanceof WebhookVerificationError ? error.message : 'invalid payload';
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end(message);
      }
      store.run({
        id: event.id,
        type: event.type,
        created_at: event.created_at ?? event.createdAt ?? '',
        data: JSON.stringify(event.data),
        received_at: new Date().toISOString(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    db,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.HERALD_WEBHOOK_SECRET;
  if (!secret) throw new Error('set HERALD_WEBHOOK_SECRET to the endpoint secret Herald showed');
  const receiver = await startSqliteReceiver({ secret, database: process.env.DATABASE ?? 'webhooks.db', port: Number(process.env.PORT ?? 3000) });
  console.log(`receiving Herald webhooks on ${receiver.url}`);
}
