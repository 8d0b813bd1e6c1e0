import { readFileSync } from 'node:fs';

/**
 * CPU and memory of another process, read from Linux's /proc (the bench runs on Linux). Herald
 * runs unmodified, so its own numbers come from outside: utime + stime cover all its threads
 * (libuv pool, GC), which process.cpuUsage() inside it would too, without a hook in Herald.
 */

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid` so far, µs (10 ms resolution: measure runs of seconds). */
export function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / TICKS_PER_SECOND;
}

/** Resident set size of `pid`, bytes. */
export function rssBytesOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Samples the RSS of `pid` every `everyMs` until stopped; `stop()` returns the maximum seen. */
export function sampleMaxRss(pid: number, everyMs = 250): { stop(): number } {
  let max = rssBytesOf(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssBytesOf(pid));
    } catch {
      // the process is gone: keep what was seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}
