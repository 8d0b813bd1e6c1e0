import { rmSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.js';
import type { Credentials } from '../bootstrap.js';
import { adminTokenFilePath, createSecretFile } from '../keys/key-file.js';
import { createLogger, startHerald } from '../main.js';

/** `herald serve` and `herald worker`: the same settings, as flags or environment variables. */
export function serveCommand(name: 'serve' | 'worker', description: string): Command {
  const command = new Command(name)
    .description(description)
    .addOption(new Option('--database-url <url>', 'sqlite:<path> or postgres://… [env HERALD_DATABASE_URL]'))
    .addOption(new Option('--encryption-key <base64>', 'base64 32-byte keys, comma-separated, the first seals; default on SQLite: <database>.key [env HERALD_ENCRYPTION_KEY]'))
    .addOption(new Option('--allow-http', 'allow plain http:// endpoint URLs [env HERALD_ALLOW_HTTP]'))
    .addOption(new Option('--allowed-private-cidrs <cidrs>', 'private ranges endpoints may reach, e.g. 127.0.0.0/8,::1/128 [env HERALD_ALLOWED_PRIVATE_CIDRS]'))
    .addOption(new Option('--egress-proxy <url>', 'send every delivery through this HTTP CONNECT proxy [env HERALD_EGRESS_PROXY]'))
    .addOption(new Option('--dev', 'local development: plain HTTP and loopback targets allowed'))
    .addOption(new Option('--no-migrate', 'do not apply migrations at start'))
    .addOption(new Option('--no-delivery-thread', "SQLite: send deliveries from the process's main thread [env HERALD_DELIVERY_THREAD=0]"))
    .addOption(new Option('--max-in-flight-per-endpoint <n>', 'requests in flight to one endpoint at most, across all workers (default 16) [env HERALD_MAX_IN_FLIGHT_PER_ENDPOINT]'))
    .addOption(new Option('--log-level <level>', 'pino log level [env HERALD_LOG_LEVEL]').default('info'));
  if (name === 'serve') {
    command
      .addOption(new Option('--port <port>', 'port to listen on [env HERALD_PORT]'))
      .addOption(new Option('--host <host>', 'address to listen on [env HERALD_HOST]'))
      .addOption(new Option('--public-url <url>', 'base URL used in portal links [env HERALD_PUBLIC_URL]'))
      .addOption(new Option('--admin-token <token>', 'admin bearer token; generated on first start [env HERALD_ADMIN_TOKEN]'))
      .addOption(new Option('--metrics-token <token>', '/metrics answers only requests bearing this token [env HERALD_METRICS_TOKEN]'))
      .addOption(new Option('--no-workers', 'serve the API only; run `herald worker` for deliveries'))
      .addOption(new Option('--trust-proxy <cidrs>', "proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8 [env HERALD_TRUST_PROXY]"));
  }
  return command.action(async (flags: ConfigFlags) => {
    const config = { ...loadConfig(flags), api: name === 'serve' };
    const logger = createLogger(config.logLevel);
    let herald;
    try {
      herald = await startHerald(config, logger);
    } catch (error) {
      logger.fatal({ err: error }, `herald ${name} could not start`);
      process.exit(1);
    }
    announce(herald.url, herald.generated, config.databaseUrl, config.egress.allowHttp);
    logger.info({ url: herald.url, database: config.databaseUrl.split(':')[0], workers: config.workers }, `herald ${name} started`);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: no new work, finishing attempts in flight');
      await herald.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}

/**
 * Generated credentials are said once, on the start that made them, and never logged. The
 * admin token goes to stderr only when it is a terminal: under a service manager stderr is a
 * journal that keeps it, so it goes to a 0600 file beside the database instead.
 */
function announce(url: string | null, generated: Credentials['generated'], databaseUrl: string, dev: boolean): void {
  const lines: string[] = [];
  if (url) lines.push(`Herald is listening on ${url}  (API docs: ${url}/docs)`);
  if (generated.adminToken) lines.push(adminTokenLine(generated.adminToken, databaseUrl));
  if (generated.keyFile) {
    const { path, movedFromDatabase } = generated.keyFile;
    lines.push(
      (movedFromDatabase ? `Encryption key moved out of the database into ${path} (mode 0600).` : `Encryption key generated into ${path} (mode 0600).`) +
        ' Back it up apart from the database: the database alone cannot be opened without it.',
    );
  }
  if (dev) lines.push('Plain http:// endpoints are allowed (development mode).');
  if (lines.length > 0) process.stderr.write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);
}

function adminTokenLine(token: string, databaseUrl: string): string {
  if (process.stderr.isTTY) return `Admin token (shown once, keep it safe): ${token}`;
  const path = adminTokenFilePath(databaseUrl);
  if (path === null) return 'An admin token was generated but cannot be shown here (stderr is not a terminal): set HERALD_ADMIN_TOKEN';
  // A token is generated only for a new database, so a file already there is a stale one.
  rmSync(path, { force: true });
  createSecretFile(path, token);
  return `Admin token written to ${path} (mode 0600); only its hash is kept in the database`;
}
