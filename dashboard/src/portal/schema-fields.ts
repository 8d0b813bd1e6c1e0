/** One line of a JSON Schema read as a field list: `data.user.id  string  required`. */
export interface SchemaField {
  path: string;
  type: string;
  required: boolean;
  description: string | null;
}

type Schema = Record<string, unknown>;
const MAX_DEPTH = 6;

/**
 * The object properties of a schema, nested ones as dotted paths (arrays of objects as
 * `items[]`). Deeper than six levels, or beyond 200 fields, the raw schema says the rest.
 */
export function schemaFields(schema: Schema | null, prefix = '', depth = 0, out: SchemaField[] = []): SchemaField[] {
  if (!schema || depth > MAX_DEPTH || out.length >= 200) return out;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, property] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, type: typeOf(property), required: required.has(name), description: typeof property.description === 'string' ? property.description : null });
    if (property.type === 'object') schemaFields(property, path, depth + 1, out);
    const items = property.items as Schema | undefined;
    if (property.type === 'array' && items?.type === 'object') schemaFields(items, `${path}[]`, depth + 1, out);
  }
  return out;
}

function typeOf(property: Schema): string {
  if (Array.isArray(property.enum)) return property.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(property.type)) return property.type.join(' | ');
  if (property.type === 'array') {
    const items = property.items as Schema | undefined;
    return `${typeof items?.type === 'string' ? items.type : 'any'}[]`;
  }
  const format = typeof property.format === 'string' ? ` (${property.format})` : '';
  return `${typeof property.type === 'string' ? property.type : 'any'}${format}`;
}
