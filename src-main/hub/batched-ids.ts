/**
 * Bursts of "this changed" become one event: ids collected for a short while, then handed over
 * once, deduplicated. The hub keeps one for inbox rows and one for chat timelines.
 */
export class BatchedIds {
  readonly #ids = new Set<string>();
  readonly #delayMs: number;
  readonly #flush: (ids: string[]) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, flush: (ids: string[]) => void) {
    this.#delayMs = delayMs;
    this.#flush = flush;
  }

  add(ids: Iterable<string>): void {
    for (const id of ids) this.#ids.add(id);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const batch = [...this.#ids];
      this.#ids.clear();
      this.#flush(batch);
    }, this.#delayMs);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ids.clear();
  }
}
