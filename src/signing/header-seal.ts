import { isSensitiveHeader } from '../domain/sensitive-header.js';
import type { SecretBox } from './secret-box.js';

/**
 * An endpoint's custom headers as the store keeps them: sensitive values sealed, the rest in
 * clear. The store holds both as opaque strings; only these two functions cross the line.
 */
export function sealSensitiveHeaders(headers: Record<string, string>, box: SecretBox): Record<string, string> {
  return mapSensitive(headers, (value) => box.seal(value));
}

/** The headers as sent: sensitive values opened. */
export function openSensitiveHeaders(headers: Record<string, string>, box: SecretBox): Record<string, string> {
  return mapSensitive(headers, (value) => box.open(value));
}

export function mapSensitive(headers: Record<string, string>, map: (value: string, name: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSensitiveHeader(name) ? map(value, name) : value]));
}
