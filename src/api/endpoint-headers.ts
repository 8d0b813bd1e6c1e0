import { isSensitiveHeader, REDACTED } from '../domain/sensitive-header.js';
import { validationFailed } from '../errors.js';
import type { SecretBox } from '../signing/index.js';

/**
 * Custom headers as a client gives them, turned into what the store keeps: sensitive values
 * sealed. Answers show `[redacted]` for those, so a client that edits an endpoint sends
 * `[redacted]` back for a value it never saw: that keeps the stored value under that name.
 */
export function headersToStore(given: Record<string, string>, stored: Record<string, string> | null, box: SecretBox): Record<string, string> {
  const storedByName = new Map(Object.entries(stored ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!isSensitiveHeader(name)) {
      kept[name] = value;
    } else if (value !== REDACTED) {
      kept[name] = box.seal(value);
    } else {
      const previous = storedByName.get(name.toLowerCase());
      if (previous === undefined) {
        throw validationFailed(`header ${name} has no stored value for "${REDACTED}" to keep: send its value`, [{ path: `/headers/${name}` }]);
      }
      kept[name] = previous;
    }
  }
  return kept;
}
