import pg from 'pg';

export const WAKE_CHANNEL = 'herald_wake';
/** Payload `<store id>:<tenant id>`: a tenant or its endpoints changed, or with no tenant id the catalog (see Store.onEndpointsChanged). */
export const ENDPOINTS_CHANNEL = 'herald_endpoints';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

export interface WakeListenerOptions {
  url: string;
  /** Shows in pg_stat_activity, so an operator (or a test) can tell which store listens. */
  applicationName: string;
  onNotify: (payload: string) => void;
  onEndpointsChanged: (payload: string) => void;
  /** Notifications sent while the connection was down are lost: the store wakes everyone instead. */
  onReconnect: () => void;
}

export interface WakeListener {
  /**
   * Resolves once every notice committed before the call has reached this listener: a round
   * trip on the listening connection, after which PostgreSQL has delivered what was pending.
   * Callers arriving while one is on its way share the next one (that one may have started
   * before their change was signalled), so there are at most two in flight however many wait.
   */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One dedicated connection per store LISTENs: a LISTEN lives on a session, and pooled
 * sessions come and go. When it drops, it reconnects with exponential backoff. The first
 * connection is awaited, so opening a store against an unreachable database fails at once.
 */
export async function listenForWakeups(options: WakeListenerOptions): Promise<WakeListener> {
  let closed = false;
  let current: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<pg.Client> => {
    // keepAlive lets a half-open connection (peer gone without a FIN) be noticed at all.
    const client = new pg.Client({ connectionString: options.url, application_name: options.applicationName, keepAlive: true });
    let live = false;
    const lost = () => {
      if (!live || closed) return;
      live = false;
      current = null;
      client.end().catch(() => {});
      scheduleRetry();
    };
    // Before `live`, errors surface through connect()/query() instead; the handler must exist
    // regardless, or an 'error' event would crash the process.
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === WAKE_CHANNEL) options.onNotify(message.payload ?? '');
      if (message.channel === ENDPOINTS_CHANNEL) options.onEndpointsChanged(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${ENDPOINTS_CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    live = true;
    return client;
  };

  const scheduleRetry = () => {
    if (closed) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** failures++, MAX_RETRY_MS);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        (client) => {
          if (closed) return void client.end().catch(() => {});
          current = client;
          failures = 0;
          options.onReconnect();
        },
        scheduleRetry,
      );
    }, delay);
  };

  const roundTrip = (): Promise<void> => (current ? current.query('select 1').then(() => undefined, () => undefined) : Promise.resolve());
  let running: Promise<void> | null = null;
  let waiting: Promise<void> | null = null;
  const catchUp = (): Promise<void> => {
    if (!running) return (running = roundTrip().finally(() => (running = null)));
    return (waiting ??= running.then(() => {
      waiting = null;
      return catchUp();
    }));
  };

  current = await connect();
  return {
    catchUp,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const client = current;
      current = null;
      await client?.end();
    },
  };
}
