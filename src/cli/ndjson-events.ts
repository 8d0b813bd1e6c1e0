import { CliError } from './client-options.js';

export interface NdjsonEvent {
  type: string;
  data: unknown;
  idempotencyKey?: string;
  /** 1-based line in the file, for error messages. */
  line: number;
}

const KEYS = new Set(['type', 'data', 'idempotencyKey']);

/**
 * Reads `{type, data, idempotencyKey?}` objects, one per line (blank lines are skipped). Every
 * line is checked before anything is sent, so a bad line stops the whole file: the first one
 * is named, with its line number. The server still judges types and schemas.
 */
export function parseNdjsonEvents(text: string, source: string): NdjsonEvent[] {
  const events: NdjsonEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    events.push(parseLine(raw, `${source} line ${i + 1}`, i + 1));
  }
  if (events.length === 0) throw new CliError(`${source} has no events: write one JSON object per line`);
  return events;
}

function parseLine(raw: string, where: string, line: number): NdjsonEvent {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new CliError(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${where}: expected an object {"type", "data", "idempotencyKey"?}`);
  const event = value as Record<string, unknown>;
  const unknown = Object.keys(event).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) throw new CliError(`${where}: unknown field ${unknown.join(', ')} (allowed: type, data, idempotencyKey)`);
  if (typeof event.type !== 'string' || event.type === '') throw new CliError(`${where}: "type" must be an event type name`);
  if (!('data' in event)) throw new CliError(`${where}: "data" is missing`);
  if (event.idempotencyKey !== undefined && (typeof event.idempotencyKey !== 'string' || event.idempotencyKey === '')) {
    throw new CliError(`${where}: "idempotencyKey" must be a non-empty string`);
  }
  return { type: event.type, data: event.data, ...(event.idempotencyKey !== undefined ? { idempotencyKey: event.idempotencyKey as string } : {}), line };
}

/** Splits into consecutive runs of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
