/**
 * Summarises a V8 `.cpuprofile` (e.g. one `npm run bench -- --cpu-prof` wrote for a Herald
 * process). Usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import { summarizeProfile, type Profile } from './lib/cpuprofile-summary.js';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [top]\n');
  process.exit(64);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
process.stdout.write(summarizeProfile(profile, Number(topArg ?? 25)).text);
