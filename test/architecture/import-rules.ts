import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The server's dependency rules (style guide, "Herald layout"), checked by reading every
 * import of every non-test file under src/. A small walk over TypeScript's own import scanner
 * rather than dependency-cruiser: four rules need no new dependency.
 */

export interface ImportEdge {
  /** Importing file, relative to the root, with `/` separators. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the root for relative specifiers; null for packages. */
  target: string | null;
}

export interface Violation {
  rule: string;
  edge: ImportEdge;
}

const posix = (path: string) => path.split(sep).join('/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    // Tests may reach anywhere (a store test opens its store); the rules hold for shipped code.
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

export function importEdges(root: string, dir = 'src'): ImportEdge[] {
  return sourceFiles(join(root, dir)).flatMap((file) => {
    const from = posix(relative(root, file));
    return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(({ fileName: specifier }) => ({
      from,
      specifier,
      target: specifier.startsWith('.') ? posix(relative(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))) : null,
    }));
  });
}

const under = (path: string | null, folder: string) => path !== null && path.startsWith(`${folder}/`);
const CONCRETE_STORE = /(^|\/)store\/(sqlite|postgres)\//;
/** Composition roots: the only files that may pick a concrete store. */
const STORE_CHOOSERS = new Set(['src/main.ts', 'src/store/open-store.ts']);
/** Ids need randomness; the rest of node stays out of the domain. */
const DOMAIN_PACKAGES = new Set(['node:crypto']);

export const RULES: { name: string; breaks: (edge: ImportEdge) => boolean }[] = [
  {
    name: 'src/domain imports nothing outside itself',
    breaks: (e) => under(e.from, 'src/domain') && (e.target ? !under(e.target, 'src/domain') : !DOMAIN_PACKAGES.has(e.specifier)),
  },
  { name: 'src/engine never imports src/api', breaks: (e) => under(e.from, 'src/engine') && under(e.target, 'src/api') },
  { name: 'src/api never imports src/engine', breaks: (e) => under(e.from, 'src/api') && under(e.target, 'src/engine') },
  {
    name: 'only src/main.ts and src/store/open-store.ts name a concrete store',
    breaks: (e) => !STORE_CHOOSERS.has(e.from) && !under(e.from, 'src/store/sqlite') && !under(e.from, 'src/store/postgres') && e.target !== null && CONCRETE_STORE.test(e.target),
  },
  { name: 'route files do not import other route files', breaks: (e) => under(e.from, 'src/api/routes') && under(e.target, 'src/api/routes') },
];

export function violations(edges: ImportEdge[]): Violation[] {
  return edges.flatMap((edge) => RULES.filter((rule) => rule.breaks(edge)).map((rule) => ({ rule: rule.name, edge })));
}
