/**
 * Bursts of hub events (a sync can announce hundreds of changes a second) become one refetch.
 * At most one run is in flight; events that land during a run cause exactly one more run.
 */
export type Schedule = (flush: () => void) => void;

/** One animation frame when there is a window, else 100 ms: whichever the platform offers. */
export const frameOrTimeout: Schedule = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 100);
};

export interface Coalescer<K> {
  /** Note that `keys` changed; a run follows soon with every key noted since the last one. */
  push(keys: Iterable<K>): void;
  /** The run in flight, if any (resolves when it ends). */
  current(): Promise<void> | null;
}

export function coalesce<K>(run: (keys: Set<K>) => Promise<void> | void, schedule: Schedule = frameOrTimeout): Coalescer<K> {
  let pending = new Set<K>();
  let dirty = false;
  let scheduled = false;
  let running: Promise<void> | null = null;

  const flush = (): void => {
    scheduled = false;
    if (running !== null) return; // the running run picks `dirty` up when it ends
    if (!dirty) return;
    const keys = pending;
    pending = new Set();
    dirty = false;
    // Always asynchronous, so `running` is set before the run can end, even if it throws at once.
    running = Promise.resolve()
      .then(() => run(keys))
      .catch(() => {
        // The run reports its own failures; one bad refetch must not stop later ones.
      })
      .then(() => {
        running = null;
        if (dirty && !scheduled) {
          scheduled = true;
          schedule(flush);
        }
      });
  };

  return {
    push(keys) {
      for (const key of keys) pending.add(key);
      dirty = true;
      if (!scheduled && running === null) {
        scheduled = true;
        schedule(flush);
      }
    },
    current() {
      return running;
    },
  };
}
