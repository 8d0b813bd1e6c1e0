#!/usr/bin/env node
// Regenerates src/client/schema.d.ts from the OpenAPI document of a throwaway Herald.
// Run through `npm run generate:client` (it builds first: this imports the compiled code).
// `--check` writes nothing and exits 1 when the committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchOpenApiDocument, schemaSource } from '../dist/src/client/codegen.js';

const target = fileURLToPath(new URL('../src/client/schema.d.ts', import.meta.url));
const source = await schemaSource(await fetchOpenApiDocument());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== source) {
    process.stderr.write('src/client/schema.d.ts is out of date: run `npm run generate:client`\n');
    process.exit(1);
  }
  process.stdout.write('src/client/schema.d.ts is up to date\n');
} else {
  writeFileSync(target, source);
  process.stdout.write(`wrote ${target}\n`);
}
