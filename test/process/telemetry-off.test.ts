import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { removeDir } from '../support/herald.js';

const run = promisify(execFile);

/**
 * Starts and stops a real Herald (the built one) in a child process and answers which
 * OpenTelemetry modules it loaded. The SDK ships CommonJS, so every module of it that an ESM
 * import pulled in is in the CommonJS cache. `@opentelemetry/api` is left out of the count:
 * prom-client requires that no-op facade whenever it is installed (for exemplars), whatever
 * Herald does; the SDK, the exporters and protobuf are what tracing would cost.
 */
async function otelModulesLoaded(env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-otel-'));
  const script = `
    import { createRequire } from 'node:module';
    import { loadConfig } from './dist/src/config.js';
    import { createLogger, startHerald } from './dist/src/main.js';
    const config = loadConfig({ dev: true, port: 0, adminToken: 't', databaseUrl: 'sqlite:${join(dir, 'h.db')}' }, {});
    const herald = await startHerald(config, createLogger('silent'));
    await herald.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@opentelemetry') && !path.includes('@opentelemetry/api/'));
    process.stdout.write(JSON.stringify(loaded));`;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
    return JSON.parse(stdout) as string[];
  } finally {
    removeDir(dir);
  }
}

describe('telemetry when not configured', () => {
  it('loads nothing of OpenTelemetry without OTEL_* settings, and the SDK when they are set', async () => {
    expect(await otelModulesLoaded({})).toEqual([]);
    // The positive control: the same probe does see the SDK when tracing is configured.
    const configured = await otelModulesLoaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(configured.some((path) => path.includes('@opentelemetry/sdk-trace'))).toBe(true);
  }, 120_000);
});
