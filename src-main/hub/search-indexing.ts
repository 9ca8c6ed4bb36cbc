/**
 * Indexes stored rows for search one slice at a time, a moment after writes, yielding between
 * slices so connectors and calls are never held up for long. A search before it finishes indexes
 * the rest itself.
 */
import type { Logger } from '../common/logger.ts';
import { SEARCH_INDEX_SLICE } from '../store/inbox-store.ts';
import type { InboxStore } from '../store/inbox-store.ts';

/** The index catches up this long after a write, so a sync's batches land first. */
const SEARCH_INDEX_DELAY_MS = 50;

export class SearchIndexing {
  readonly #store: InboxStore;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;
  readonly #background: boolean;

  /**
   * `background: false` leaves indexing to the next search or the next long-running hub: a short-lived
   * hub (`sync --once`) then spends its time on the sync and exits, instead of indexing rows it never searches.
   */
  constructor(store: InboxStore, log: Logger, options: { background?: boolean } = {}) {
    this.#store = store;
    this.#log = log;
    this.#background = options.background ?? true;
  }

  schedule(): void {
    if (this.#timer !== undefined || this.#disposed || !this.#background) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#disposed) return;
      try {
        if (this.#store.indexPendingSearch() === SEARCH_INDEX_SLICE) this.schedule();
      } catch (error) {
        // Search indexes what is left when it runs; the next write tries the background again.
        this.#log.warn('search indexing failed', { error });
      }
    }, SEARCH_INDEX_DELAY_MS);
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
