/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof dist/bench/delivery.js …`): the top
 * functions by self time, self time by package or Herald module, and the inclusive time of
 * Herald's own functions. Usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [top]\n');
  process.exit(64);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm:').replace(/^.*\/dist\//, '');
}
function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return url ? `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
}
function categoryOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native / builtin)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/(src\/[^/]+|bench)\//.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

const self = new Map<string, number>();
const categories = new Map<string, number>();
const inclusive = new Map<string, number>();
const stackKeys = new Map<number, string[]>();
function keysOnStack(id: number): string[] {
  let keys = stackKeys.get(id);
  if (keys) return keys;
  const set = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) set.add(keyOf(byId.get(at)!));
  keys = [...set];
  stackKeys.set(id, keys);
  return keys;
}

let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  // A sample's time is the delta to the next sample.
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const node = byId.get(id)!;
  total += dt;
  if (node.callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  const key = keyOf(node);
  self.set(key, (self.get(key) ?? 0) + dt);
  const category = categoryOf(node);
  categories.set(category, (categories.get(category) ?? 0) + dt);
  for (const k of keysOnStack(id)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
});

const busy = total - idle;
const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
const rows = (map: Map<string, number>, n: number, filter: (key: string) => boolean = () => true) =>
  [...map.entries()]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${pct(ms)}  ${k}`)
    .join('\n');

process.stdout.write(
  [
    `profile: ${(total / 1000).toFixed(1)} s sampled, ${(idle / 1000).toFixed(1)} s idle, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`,
    `\n## top ${top} functions by self time\n${rows(self, top)}`,
    `\n## self time by package / Herald module\n${rows(categories, 30)}`,
    `\n## Herald functions by inclusive time\n${rows(inclusive, top, (k) => k.includes(' src/'))}`,
    '',
  ].join('\n'),
);
