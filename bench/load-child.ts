/**
 * The bench's load generator, run as a child process so neither Herald nor the receiver shares
 * its event loop: it runs one job at a time (publish to Herald, or the raw signed-POST ceiling)
 * over keep-alive connections of an undici Pool, and answers with per-item timestamps.
 */
import { runPublish } from './load/publish-load.js';
import { runRaw } from './load/raw-load.js';
import type { FromLoad, LoadJob, ToLoad } from './load/load-protocol.js';

function send(message: FromLoad): void {
  process.send?.(message);
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`load target ${url} is not loopback`);
}

async function run(job: LoadJob): Promise<void> {
  try {
    assertLoopback(job.url);
    const result = job.kind === 'raw' ? await runRaw(job) : await runPublish(job);
    send({ type: 'done', result });
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

process.on('message', (message: ToLoad) => {
  if (message.type === 'run') void run(message.job);
  else process.exit(0);
});
// The bench died or closed the channel: nobody will read the answers.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
