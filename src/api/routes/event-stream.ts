import { EventEmitter } from 'node:events';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { toEnvelope } from '../../domain/event.js';
import { validationFailed } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { CredentialStreams } from '../credential-streams.js';
import { principalOf, tenantOf } from '../plugins/auth.js';
import { EventTypeName, PollCursor, TenantParams } from '../schemas.js';

const tags = ['Events'];

/** Heartbeat comment interval: keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/**
 * Fallback poll: wake-ups only fire for events that made deliveries, and only in processes
 * that share the store's notifications; this catches the rest without a tight loop.
 */
export const FALLBACK_POLL_MS = 2_000;
const PAGE = 200;

/**
 * In-process "an event was published" signal, keyed by tenant id. The publish route calls
 * `notifyPublished`; streams of the same process react at once, even to events without
 * deliveries (the store's wake-ups only fire for new deliveries).
 */
const published = new EventEmitter();
published.setMaxListeners(0);
export function notifyPublished(tenantId: string): void {
  published.emit(tenantId);
}

const StreamQuery = Type.Object({
  after: Type.Optional({ ...PollCursor, description: 'Cursor: stream events after it. Default: only events published from now on.' }),
  type: Type.Optional(EventTypeName),
});

const CursorPattern = new RegExp(PollCursor.pattern!);

/** The cursor after the tenant's newest (non-test) event, or null when it has none. */
async function tailSequence(store: Store, tenantId: string, type: string | undefined): Promise<string | null> {
  let after: string | null = null;
  for (;;) {
    const page = await store.events.poll(tenantId, { after, limit: 1000, type });
    const last = page[page.length - 1];
    if (!last) return after;
    after = last.cursor;
    if (page.length < 1000) return after;
  }
}

export const eventStreamRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  const open = new Set<() => void>();
  // Tenant credentials' streams: at most 5 each over all processes, ended when the credential is revoked or expires.
  const credentialStreams = new CredentialStreams(store.credentials, app.log);
  // End every stream before the server waits for its connections to close.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
    await credentialStreams.close();
  });

  app.get(
    '/tenants/:tid/events/stream',
    {
      schema: {
        tags,
        summary: 'Stream new events as server-sent events',
        description:
          'A `text/event-stream`: each event has `id: <sequence cursor>` and `data: <envelope JSON>`. ' +
          'Reconnect with `Last-Event-ID` (or `after`) to resume without losing events; comment lines are sent every 15 s as heartbeats. ' +
          'Without a cursor the stream starts with the events published after it opened. The first event, `event: ready`, carries the starting cursor ' +
          '(`data: {"cursor": …}`, null when the tenant had no events: resume with `after=0`); envelopes come as default `message` events.',
        params: TenantParams,
        querystring: StreamQuery,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An endless stream of server-sent events',
            content: { 'text/event-stream': { schema: Type.String({ description: '`id: <cursor>` and `data: <envelope JSON>` lines per event' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const type = request.query.type;
      const header = request.headers['last-event-id'];
      const lastEventId = Array.isArray(header) ? header[0] : header;
      let cursor: string | null;
      if (lastEventId !== undefined && lastEventId !== '') {
        if (!CursorPattern.test(lastEventId)) throw validationFailed('Last-Event-ID must be a cursor', [{ path: 'Last-Event-ID', value: lastEventId }]);
        cursor = lastEventId;
      } else if (request.query.after !== undefined) {
        cursor = request.query.after;
      } else {
        cursor = await tailSequence(store, tenant.id, type);
      }
      // The cursor is opaque here: the store refuses one it never gave out, answered before the stream opens.
      if (cursor !== null) await store.events.poll(tenant.id, { after: cursor, limit: 1, type });

      const principal = principalOf(request);
      let endStream = () => {};
      const release = principal.kind === 'tenant' ? await credentialStreams.open(principal.credentialId, () => endStream()) : () => {};
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      if (request.method === 'HEAD') {
        release();
        return void res.end();
      }
      // A `ready` event (ignored by EventSource's onmessage) tells the client where it starts, so a
      // reconnect before the first event still resumes there: `after=0` when the tenant had none.
      const start = cursor;
      res.write(`retry: 2000\n${start === null ? '' : `id: ${start}\n`}event: ready\ndata: ${JSON.stringify({ cursor: start })}\n\n`);

      let closed = false;
      let polling = false;
      let again = false;
      const write = async (chunk: string) => {
        if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      };
      const pump = async () => {
        if (closed) return;
        if (polling) {
          again = true;
          return;
        }
        polling = true;
        try {
          do {
            again = false;
            for (;;) {
              const events = await store.events.poll(tenant.id, { after: cursor, limit: PAGE, type });
              for (const event of events) {
                if (closed) return;
                await write(`id: ${event.cursor}\ndata: ${JSON.stringify(toEnvelope(event, tenant.settings.envelope))}\n\n`);
                cursor = event.cursor;
              }
              if (events.length < PAGE) break;
            }
          } while (again && !closed);
        } catch (error) {
          request.log.error({ err: error }, 'event stream poll failed');
          end();
        } finally {
          polling = false;
        }
      };
      const wake = () => void pump();
      const stopWake = store.queue.onWake(wake);
      published.on(tenant.id, wake);
      const fallback = setInterval(wake, FALLBACK_POLL_MS);
      const heartbeat = setInterval(() => void res.write(`: heartbeat ${new Date().toISOString()}\n\n`), HEARTBEAT_MS);
      fallback.unref();
      heartbeat.unref();
      function end(): void {
        if (closed) return;
        closed = true;
        open.delete(end);
        release();
        clearInterval(fallback);
        clearInterval(heartbeat);
        stopWake();
        published.off(tenant.id, wake);
        if (!res.writableEnded) res.end();
      }
      open.add(end);
      endStream = end;
      res.once('close', end);
      void pump();
    },
  );
};
