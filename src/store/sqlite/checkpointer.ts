import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread copies the WAL's new pages into the database file. */
const CHECKPOINT_EVERY_MS = 50;
/**
 * The main connection still checkpoints, past this many pages (8 MiB at the 2 KiB pages of a
 * new file, 16 MiB at 4 KiB; SQLite's default is 1,000), and then it copies only what the thread
 * has not copied yet. That checkpoint is the one that lets the WAL start over: it runs on the only
 * writer right after a commit, so it finishes, where the thread's, under steady writes, rarely
 * does before the next commit (and a WAL that only grows makes every page lookup walk more of its
 * index). A thread that forced a restart itself
 * would hold the writer lock while waiting for readers, and the main connection, which reads
 * before it writes in one transaction, would wait on it in turn: tried, publishes then stalled
 * for the busy timeout.
 */
export const MAIN_AUTOCHECKPOINT_PAGES = 4096;

// Plain CommonJS evaluated in the thread (no file of its own to resolve from src/ or dist/).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = 16');
let failed = false;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!failed) parentPort.postMessage({ error: String(error && error.message) });
    failed = true;
  }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints a WAL database from a thread of its own. SQLite checkpoints inside the commit
 * that fills the WAL past its limit, on whatever thread commits: under npm run bench 3 % of the
 * serve process's commits (42 of 1,318) took 2-8 ms each, copying about 1,000 pages and
 * syncing twice, and were 55 % of all commit time, on the thread that serves the API and runs
 * the engine. Here the thread copies the pages, and the main connection's own checkpoints (see
 * MAIN_AUTOCHECKPOINT_PAGES) find little left to copy.
 */
export function startCheckpointer(path: string, onError: (message: string) => void): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { module, path, everyMs: CHECKPOINT_EVERY_MS },
    // It allocates next to nothing; small heap limits keep its share of the process's memory small.
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 2 },
  });
  // The thread never keeps the process alive: stop() ends it, and so does the process's exit.
  worker.unref();
  worker.on('message', (message: { error?: string }) => message.error && onError(message.error));
  worker.on('error', (error) => onError(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Awaited, so it must hold the process open: with nothing else to wait for, a process
      // would end mid-await (exit code 13) before its caller could finish, or print its error.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
