/**
 * Summarises a V8 `.cpuprofile`: the top functions by self time, self time by package or
 * Herald module, and the inclusive time of Herald's own functions.
 */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** The whole summary, several sections. */
  text: string;
  /** Only the top functions by self time, for a report. */
  topFunctions: string;
}

/** Spans of the process's run to count, in µs of CLOCK_MONOTONIC (`process.hrtime`, the profile's clock). */
export type Windows = Array<[fromMicros: number, toMicros: number]>;

interface Tally {
  totalMs: number;
  idleMs: number;
  self: Map<string, number>;
  categories: Map<string, number>;
  inclusive: Map<string, number>;
}

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

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);

function tally(profile: Profile, windows: Windows): Tally {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackKeys = new Map<number, string[]>();
  const keysOnStack = (id: number): string[] => {
    let keys = stackKeys.get(id);
    if (keys) return keys;
    const set = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) set.add(keyOf(byId.get(at)!));
    stackKeys.set(id, (keys = [...set]));
    return keys;
  };
  const result: Tally = { totalMs: 0, idleMs: 0, self: new Map(), categories: new Map(), inclusive: new Map() };
  let at = profile.startTime;
  const counted = (time: number) => windows.length === 0 || windows.some(([from, to]) => time >= from && time <= to);
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (!counted(at)) return;
    // A sample's time is the delta to the next sample.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id)!;
    result.totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      result.idleMs += ms;
      return;
    }
    add(result.self, keyOf(node), ms);
    add(result.categories, categoryOf(node), ms);
    for (const key of keysOnStack(id)) add(result.inclusive, key, ms);
  });
  return result;
}

/** `windows`: count only samples inside them (e.g. the timed part of a run); empty counts all. */
export function summarizeProfile(profile: Profile, top = 25, windows: Windows = []): ProfileSummary {
  const t = tally(profile, windows);
  const busy = t.totalMs - t.idleMs;
  const scope = windows.length === 0 ? 'whole process' : `${windows.length} timed span${windows.length === 1 ? '' : 's'} only`;
  const header = `profile (${scope}): ${(t.totalMs / 1000).toFixed(1)} s sampled, ${(t.idleMs / 1000).toFixed(1)} s idle, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  const rows = (map: Map<string, number>, n: number, filter: (key: string) => boolean = () => true) =>
    [...map.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${pct(ms)}  ${k}`)
      .join('\n');
  const text = [
    header,
    `\n## top ${top} functions by self time\n${rows(t.self, top)}`,
    `\n## self time by package / Herald module\n${rows(t.categories, 30)}`,
    `\n## Herald functions by inclusive time\n${rows(t.inclusive, top, (k) => k.includes(' src/'))}`,
    '',
  ].join('\n');
  return { text, topFunctions: `${header}\n${rows(t.self, top)}` };
}
