export interface BatcherOptions<In> {
  /** Let the items whose I/O was read in the current turn of the event loop join (setImmediate). */
  gatherForATurn?: boolean;
  /**
   * Then keep waiting for more while this says more are on their way (given how many wait), until
   * it says no, an item added with `flushNow` arrives, or `gatherAtMostMs` has passed since the
   * flush began to gather.
   */
  gatherWhile?: (waiting: number) => boolean;
  gatherAtMostMs?: number;
}

/**
 * Group commit: items added while a flush runs wait and go together in the next one. A lone
 * item flushes at once (or, with `gatherForATurn`, after the I/O of the current turn of the
 * event loop has been read; with `gatherWhile`, after at most `gatherAtMostMs` more), a burst
 * shares one transaction.
 */
export class Batcher<In, Out> {
  #waiting: Array<{ item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }> = [];
  /** An item waiting was added with `flushNow`: the next flush gathers no longer. */
  #due = false;
  #flushing: Promise<void> | null = null;
  /** Wakes a flush that gathers (gatherWhile) when an item arrives. */
  #arrived: (() => void) | null = null;

  constructor(
    private readonly flush: (items: In[]) => Promise<Out[]>,
    private readonly options: BatcherOptions<In> = {},
  ) {}

  /** `flushNow`: its caller cannot wait for others to join (gatherWhile). */
  add(item: In, { flushNow = false }: { flushNow?: boolean } = {}): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#due ||= flushNow;
      this.#arrived?.();
      this.#start();
    });
  }

  // An item added by a caller the last flush answered can arrive before `#flushing` is
  // cleared: look at the queue again once it is.
  #start(): void {
    if (this.#flushing || this.#waiting.length === 0) return;
    this.#flushing = this.#run().finally(() => {
      this.#flushing = null;
      this.#start();
    });
  }

  /** Resolves once everything added so far is flushed. */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #run(): Promise<void> {
    while (this.#waiting.length > 0) {
      if (this.options.gatherForATurn) await nextTurn();
      if (this.options.gatherWhile) await this.#gather(this.options.gatherWhile);
      const batch = this.#waiting.splice(0);
      this.#due = false;
      try {
        const outs = await this.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(outs[i]!));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
  }

  /** Waits for more items while `gatherWhile` expects them, no longer than `gatherAtMostMs`. */
  async #gather(gatherWhile: (waiting: number) => boolean): Promise<void> {
    const deadline = performance.now() + (this.options.gatherAtMostMs ?? 0);
    while (!this.#due && performance.now() < deadline && gatherWhile(this.#waiting.length)) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#arrived = resolve;
        timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
      });
      clearTimeout(timer);
      this.#arrived = null;
      // Whatever else this turn read joins too.
      await nextTurn();
    }
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
