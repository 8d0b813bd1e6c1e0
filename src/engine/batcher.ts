/**
 * Group commit: items added while a flush runs wait and go together in the next one. Nothing
 * waits on a timer: a lone item flushes at once (or, with `gatherForATurn`, after the I/O of
 * the current turn of the event loop has been read), a burst shares one transaction.
 */
export class Batcher<In, Out> {
  #waiting: Array<{ item: In; resolve: (out: Out) => void; reject: (error: unknown) => void }> = [];
  #flushing: Promise<void> | null = null;

  constructor(
    private readonly flush: (items: In[]) => Promise<Out[]>,
    private readonly options: { gatherForATurn?: boolean } = {},
  ) {}

  add(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
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
      if (this.options.gatherForATurn) await new Promise((resolve) => setImmediate(resolve));
      const batch = this.#waiting.splice(0);
      try {
        const outs = await this.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(outs[i]!));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
  }
}
