import { MissingHeaderError } from './errors.js';

/** Whatever the framework hands over (Headers, Node's object, a plain record), read case-insensitively. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export function headerReader(source: HeaderSource): (name: string) => string {
  const lookup = (name: string): string | undefined => {
    if (typeof (source as Headers).get === 'function') return (source as Headers).get(name) ?? undefined;
    const lower = name.toLowerCase();
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() === lower) return Array.isArray(value) ? value.join(',') : value;
    }
    return undefined;
  };
  return (name) => {
    const value = lookup(name);
    if (value === undefined || value === '') throw new MissingHeaderError(name.toLowerCase());
    return value;
  };
}
