import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { action, clientFor, CliError, ensureOk, table, withConnection, type ClientFlags } from './client-options.js';
import { chunks, parseNdjsonEvents, type NdjsonEvent } from './ndjson-events.js';

/** The server's batch limit (src/api/schemas.ts); the CLI must not import the API. */
const MAX_BATCH_EVENTS = 1000;

interface TenantFlags extends ClientFlags {
  tenant?: string;
  limit?: string;
  cursor?: string;
}

function tenantOf(flags: TenantFlags, file: { tenant?: string }): string {
  const tenant = flags.tenant || process.env.HERALD_TENANT || file.tenant;
  if (!tenant) throw new CliError('no tenant: pass --tenant <tid> (or set HERALD_TENANT, or "tenant" in the config file)');
  return tenant;
}

function limitOf(flags: TenantFlags): number {
  const limit = Number(flags.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 250) throw new CliError('--limit must be a whole number from 1 to 250');
  return limit;
}

const pageOptions = (command: Command) =>
  command
    .addOption(new Option('--limit <n>', 'items per page, 1 to 250').default('50'))
    .addOption(new Option('--cursor <cursor>', 'continue from the nextCursor a previous page printed'));

function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text());
}

function more(nextCursor: string | null | undefined): string {
  return nextCursor ? `(more: --cursor ${nextCursor})\n` : '';
}

const tenantOption = () => new Option('--tenant <tid>', 'tenant id [env HERALD_TENANT, config "tenant"]');

export function triggerCommand(): Command {
  const command = new Command('trigger')
    .description("Publish an event to a tenant: the catalog's example payload for the type, or the JSON you give; or a file of events")
    .argument('[eventType]', 'a name from the event catalog, e.g. chat.message (not with --file)')
    .addOption(tenantOption())
    .addOption(new Option('--data <file>', 'JSON file with the event data ("-" reads stdin); default: the event type\'s example'))
    .addOption(new Option('--idempotency-key <key>', 'publish at most once per key'))
    .addOption(new Option('--file <events.ndjson>', 'publish every event of a file, one {"type","data","idempotencyKey"?} per line ("-" reads stdin), in batches of up to 1,000'));
  return withConnection(command).action(
    action(async (eventType: string | undefined, flags: TenantFlags & { data?: string; idempotencyKey?: string; file?: string }) => {
      if (flags.file !== undefined) {
        if (eventType !== undefined || flags.data !== undefined || flags.idempotencyKey !== undefined) {
          throw new CliError('--file carries each event\'s type, data and idempotency key: give no event type, --data or --idempotency-key with it');
        }
        return triggerFile(flags as TenantFlags & { file: string });
      }
      if (eventType === undefined) throw new CliError('name an event type (herald trigger chat.message), or give --file events.ndjson');
      const { client, file } = clientFor(flags);
      const tid = tenantOf(flags, file);
      let data: unknown;
      if (flags.data !== undefined) {
        const text = readFileSync(flags.data === '-' ? 0 : flags.data, 'utf8');
        try {
          data = JSON.parse(text);
        } catch (error) {
          throw new CliError(`${flags.data} is not JSON: ${(error as Error).message}`);
        }
      } else {
        const type = ensureOk(await client.GET('/api/v1/event-types/{name}', { params: { path: { name: eventType } } }), `looking up event type ${eventType}`);
        data = (type as { example?: unknown }).example ?? {};
      }
      const body = { type: eventType, data, ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}) };
      const answer = await client.POST('/api/v1/tenants/{tid}/events', { params: { path: { tid } }, body: body as never });
      const event = ensureOk(answer, 'publish') as { id: string; type: string };
      print(flags.json, event, () => `${answer.response.status === 200 ? 'already published' : 'published'} ${event.id} (${event.type}) to tenant ${tid}\n`);
    }),
  );
}

/**
 * `trigger --file`: every line is checked before the first batch goes, so a bad line sends
 * nothing. Each batch is all or nothing on the server; when the server refuses one (an unknown
 * type, a schema mismatch, the quota), the error names the line, and says how many events the
 * batches before it published.
 */
async function triggerFile(flags: TenantFlags & { file: string }): Promise<void> {
  const source = flags.file === '-' ? 'stdin' : flags.file;
  const events = parseNdjsonEvents(readFileSync(flags.file === '-' ? 0 : flags.file, 'utf8'), source);
  const { client, file } = clientFor(flags);
  const tid = tenantOf(flags, file);
  const published: unknown[] = [];
  for (const batch of chunks(events, MAX_BATCH_EVENTS)) {
    const body = { events: batch.map(({ line: _line, ...event }) => event) };
    const answer = await client.POST('/api/v1/tenants/{tid}/events/batch', { params: { path: { tid } }, body: body as never });
    if (!answer.response.ok) throw batchError(answer.error, answer.response.status, batch, source, published.length);
    published.push(...(answer.data as { data: unknown[] }).data);
  }
  print(flags.json, published, () => `published ${published.length} events from ${source} to tenant ${tid}\n`);
}

function batchError(error: unknown, status: number, batch: NdjsonEvent[], source: string, before: number): CliError {
  const body = (error as { error?: { code?: string; message?: string; details?: Array<{ path?: string }> } } | undefined)?.error;
  const index = /^\/events\/(\d+)/.exec(body?.details?.[0]?.path ?? '')?.[1];
  const line = index === undefined ? undefined : batch[Number(index)]?.line;
  const where = line === undefined ? `${source} lines ${batch[0]!.line}-${batch[batch.length - 1]!.line}` : `${source} line ${line}`;
  const sent = before > 0 ? ` (${before} events from earlier lines were published)` : ' (nothing was published)';
  return new CliError(`${where}: ${status} ${body?.code ?? ''}${body?.message ? `: ${body.message}` : ''}${sent}`);
}

export function tenantsCommand(): Command {
  const command = pageOptions(new Command('tenants').description('List tenants (admin token): id, name, envelope, signature scheme, created'));
  return withConnection(command).action(
    action(async (flags: TenantFlags) => {
      const { client } = clientFor(flags);
      const page = ensureOk(await client.GET('/api/v1/tenants', { params: { query: { limit: limitOf(flags), ...(flags.cursor ? { cursor: flags.cursor } : {}) } } }), 'listing tenants');
      print(flags.json, page, () =>
        table(
          ['ID', 'NAME', 'ENVELOPE', 'SIGNATURE', 'CREATED'],
          page.data.map((t) => [t.id, t.name, t.settings.envelope, t.settings.signature.scheme, t.createdAt]),
        ) + more(page.nextCursor),
      );
    }),
  );
}

export function endpointsCommand(): Command {
  const command = pageOptions(new Command('endpoints').description("List a tenant's endpoints: id, status, failures, subscribed events, url").addOption(tenantOption()));
  return withConnection(command).action(
    action(async (flags: TenantFlags) => {
      const { client, file } = clientFor(flags);
      const tid = tenantOf(flags, file);
      const query = { limit: limitOf(flags), ...(flags.cursor ? { cursor: flags.cursor } : {}) };
      const page = ensureOk(await client.GET('/api/v1/tenants/{tid}/endpoints', { params: { path: { tid }, query } }), 'listing endpoints');
      print(flags.json, page, () =>
        table(
          ['ID', 'STATUS', 'FAILURES', 'EVENTS', 'URL'],
          page.data.map((e) => [e.id, e.status + (e.disabledReason ? ` (${e.disabledReason})` : ''), e.consecutiveFailures, e.eventTypes.join(','), e.url]),
        ) + more(page.nextCursor),
      );
    }),
  );
}

export function deliveriesCommand(): Command {
  const command = pageOptions(
    new Command('deliveries')
      .description("List a tenant's deliveries, newest first: id, status, attempts, event, endpoint")
      .addOption(tenantOption())
      .addOption(new Option('--outcome <outcome>', 'only succeeded, failed (failed or dead) or pending deliveries').choices(['succeeded', 'failed', 'pending']))
      .addOption(new Option('--endpoint <eid>', 'only deliveries to this endpoint'))
      .addOption(new Option('--event-type <type>', 'only deliveries of this event type')),
  );
  return withConnection(command).action(
    action(async (flags: TenantFlags & { outcome?: 'succeeded' | 'failed' | 'pending'; endpoint?: string; eventType?: string }) => {
      const { client, file } = clientFor(flags);
      const tid = tenantOf(flags, file);
      const query = {
        limit: limitOf(flags),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
        ...(flags.outcome ? { outcome: flags.outcome } : {}),
        ...(flags.endpoint ? { endpointId: flags.endpoint } : {}),
        ...(flags.eventType ? { eventType: flags.eventType } : {}),
      };
      const page = ensureOk(await client.GET('/api/v1/tenants/{tid}/deliveries', { params: { path: { tid }, query } }), 'listing deliveries');
      print(flags.json, page, () =>
        table(
          ['ID', 'STATUS', 'ATTEMPTS', 'EVENT TYPE', 'EVENT', 'ENDPOINT', 'LAST ATTEMPT'],
          page.data.map((d) => [d.id, d.status, `${d.attemptCount}/${d.maxAttempts}`, d.eventType, d.eventId, d.endpointId, d.lastAttemptAt]),
        ) + more(page.nextCursor),
      );
    }),
  );
}
