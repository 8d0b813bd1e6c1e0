/** One timer aimed at the earliest moment anyone asked for; later asks never push it back. */
export class WakeTimer {
  #timer: NodeJS.Timeout | null = null;
  #at = Infinity;

  constructor(private readonly onFire: () => void) {}

  armAt(at: number): void {
    if (at >= this.#at) return;
    this.clear();
    this.#at = at;
    // setTimeout takes at most a 32-bit delay; a far moment is re-armed when this one fires.
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#at = Infinity;
      this.onFire();
    }, delay);
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#at = Infinity;
  }
}
