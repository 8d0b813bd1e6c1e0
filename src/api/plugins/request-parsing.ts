import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../../errors.js';

/**
 * How request bytes become typed values. Query strings and path parameters arrive as text,
 * so they are coerced (`limit=10` is a number); JSON bodies carry their own types, so a
 * string where a number belongs is refused with 422 rather than quietly converted.
 */
const AJV_OPTIONS: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false, addUsedSchema: false };

/**
 * Deeper JSON parses fine but overflows the stack of every recursive consumer after it
 * (JSON.stringify fails at a few thousand levels), so it is refused at the door.
 */
export const MAX_JSON_DEPTH = 128;

export function registerRequestParsing(app: FastifyInstance): void {
  const strict = new Ajv.default({ ...AJV_OPTIONS, coerceTypes: false });
  const coercing = new Ajv.default({ ...AJV_OPTIONS, coerceTypes: 'array' });
  addFormats.default(strict);
  addFormats.default(coercing);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const depth = jsonDepth(text);
    if (depth > MAX_JSON_DEPTH) {
      done(validationFailed(`body is nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are allowed`, [{ path: 'body' }]), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** The deepest nesting of arrays and objects in a JSON text, brackets inside strings aside. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
