import { fork, type ChildProcess } from 'node:child_process';
import { sendIfConnected, stopChild } from './child-ipc.js';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.js';
import type { FromLoad, LoadJob, LoadResult, ToLoad } from '../load/load-protocol.js';

/** The parent's handle on the load-generator child: one job at a time. */
export class LoadProcess {
  readonly #child: ChildProcess;
  #pending: { resolve(result: LoadResult): void; reject(error: Error): void } | null = null;
  #removeCleanup: () => void;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: FromLoad) => this.#onMessage(message));
    child.on('exit', (code) => this.#pending?.reject(new Error(`load generator exited (code ${code})`)));
    this.#removeCleanup = onCleanup(() => this.stop());
  }

  static async start(): Promise<LoadProcess> {
    const script = fileURLToPath(new URL('../load-child.js', import.meta.url));
    // No inherited execArgv: `--cpu-prof` on the bench must not profile the load generator.
    const child = fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load generator did not start in 10 s')), 10_000);
      child.once('error', reject);
      child.once('message', (message: FromLoad) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve();
        else reject(new Error(`load generator said ${message.type} before ready`));
      });
    });
    return new LoadProcess(child);
  }

  run(job: LoadJob): Promise<LoadResult> {
    if (this.#pending) return Promise.reject(new Error('load generator is busy'));
    return new Promise((resolve, reject) => {
      // The child bounds the job by job.timeoutMs; this is the backstop if the child hangs.
      const timer = setTimeout(() => reject(new Error(`load job not answered in ${job.timeoutMs + 10_000} ms`)), job.timeoutMs + 10_000);
      const settle = () => {
        clearTimeout(timer);
        this.#pending = null;
      };
      this.#pending = {
        resolve: (result) => (settle(), resolve(result)),
        reject: (error) => (settle(), reject(error)),
      };
      this.#send({ type: 'run', job });
    });
  }

  async stop(): Promise<void> {
    this.#removeCleanup();
    await stopChild(this.#child, { type: 'stop' } satisfies ToLoad);
  }

  #send(message: ToLoad): void {
    sendIfConnected(this.#child, message);
  }

  #onMessage(message: FromLoad): void {
    if (message.type === 'done') this.#pending?.resolve(message.result);
    else if (message.type === 'failed') this.#pending?.reject(new Error(`load generator: ${message.message}`));
  }
}
