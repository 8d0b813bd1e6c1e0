import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importEdges, violations } from './import-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Imports that break a rule today, each to be removed by the owner of the file; the test fails
 * on any new one, and on an entry here that no longer happens (so the list only shrinks).
 */
const KNOWN = new Set<string>([]);

describe('dependency rules of src/', () => {
  const found = violations(importEdges(root)).map((v) => `${v.edge.from} -> ${v.edge.specifier}`);

  it('finds the imports (the walk sees the composition root wiring api and engine)', () => {
    const edges = importEdges(root);
    expect(edges.some((e) => e.from === 'src/main.ts' && e.target === 'src/store/open-store.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('has no import that breaks a rule, beyond the known ones', () => {
    expect(found.filter((edge) => !KNOWN.has(edge))).toEqual([]);
  });

  it('lists no known exception that is gone', () => {
    expect([...KNOWN].filter((edge) => !found.includes(edge))).toEqual([]);
  });

  it('catches each kind of violation', () => {
    const edge = (from: string, specifier: string, target: string | null) => ({ from, specifier, target });
    expect(
      violations([
        edge('src/domain/x.ts', 'fastify', null),
        edge('src/domain/x.ts', '../store/store.js', 'src/store/store.ts'),
        edge('src/engine/x.ts', '../api/context.js', 'src/api/context.ts'),
        edge('src/api/x.ts', '../engine/attempt.js', 'src/engine/attempt.ts'),
        edge('src/api/x.ts', '../store/sqlite/sqlite-store.js', 'src/store/sqlite/sqlite-store.ts'),
        edge('src/api/routes/a.ts', './b.js', 'src/api/routes/b.ts'),
      ]).map((v) => v.rule),
    ).toEqual([
      'src/domain imports nothing outside itself',
      'src/domain imports nothing outside itself',
      'src/engine never imports src/api',
      'src/api never imports src/engine',
      'only src/main.ts and src/store/open-store.ts name a concrete store',
      'route files do not import other route files',
    ]);
  });
});
