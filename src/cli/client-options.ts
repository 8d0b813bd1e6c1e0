import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { createHeraldClient, type HeraldClient } from '../client/index.js';

export const DEFAULT_URL = 'http://localhost:8080';

export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** What `~/.config/herald/config.json` (or the file `HERALD_CONFIG` names) may hold. */
export interface ClientConfigFile {
  url?: string;
  token?: string;
  tenant?: string;
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.HERALD_CONFIG || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'herald', 'config.json');
}

export function readConfigFile(env: NodeJS.ProcessEnv = process.env): ClientConfigFile {
  const path = configFilePath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !env.HERALD_CONFIG) return {};
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as ClientConfigFile;
  } catch (error) {
    throw new CliError(`config file ${path} is not valid: ${(error as Error).message}`);
  }
}

/** URL and token from flags, else HERALD_URL / HERALD_TOKEN, else the config file. */
export function resolveConnection(flags: { url?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): { url: string; token: string; file: ClientConfigFile } {
  const file = readConfigFile(env);
  const url = (flags.url || env.HERALD_URL || file.url || DEFAULT_URL).replace(/\/+$/, '');
  const token = flags.token || env.HERALD_TOKEN || file.token;
  if (!token) throw new CliError(`no token: pass --token, set HERALD_TOKEN, or put "token" in ${configFilePath(env)}`);
  return { url, token, file };
}

/** An error to report in one line (no stack), with exit code 1. */
export class CliError extends Error {}

/** Adds --url, --token (and --json when `json`) with help that names the env and the file. */
export function withConnection(command: Command, json = true): Command {
  command
    .addOption(new Option('--url <url>', `Herald base URL [env HERALD_URL, config "url"; default ${DEFAULT_URL}]`))
    .addOption(new Option('--token <token>', 'admin token or tenant API key [env HERALD_TOKEN, config "token"]'));
  if (json) command.addOption(new Option('--json', 'print the raw JSON answer, for scripts'));
  command.addHelpText(
    'after',
    `\nConnection settings come from the flags, else HERALD_URL / HERALD_TOKEN, else the JSON file\n${configFilePath()} (or the file HERALD_CONFIG names), e.g. {"url": "${DEFAULT_URL}", "token": "…"}.`,
  );
  return command;
}

export function clientFor(flags: ClientFlags): { client: HeraldClient; url: string; token: string; file: ClientConfigFile } {
  const { url, token, file } = resolveConnection(flags);
  return { client: createHeraldClient(url, token), url, token, file };
}

/** Throws a CliError carrying Herald's error message when an answer is not 2xx. */
export function ensureOk<T>(answer: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (answer.response.ok) return answer.data as T;
  const error = (answer.error as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new CliError(`${what} failed: ${answer.response.status} ${error?.code ?? ''}${error?.message ? `: ${error.message}` : ''}`.trim());
}

/** Runs a command action, turning CliErrors and connection failures into one stderr line and exit code 1. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const message =
        error instanceof CliError
          ? error.message
          : cause?.code || (error instanceof TypeError && error.message === 'fetch failed')
            ? `cannot reach Herald${cause?.code ? ` (${cause.code})` : ''}`
            : ((error as Error).stack ?? String(error));
      process.stderr.write(`herald: ${message}\n`);
      process.exitCode = 1;
    }
  };
}

/** A plain text table: one header row, columns padded to their widest cell. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
