/**
 * An endpoint subscribes with patterns: `*` (everything), an exact name, or `prefix.*`
 * (every type under that prefix, at any depth).
 */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

export const SUBSCRIPTION_PATTERN = '^(\\*|[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*(\\.\\*)?)$';
