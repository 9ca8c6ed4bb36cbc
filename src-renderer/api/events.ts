import type { EventName, HubEvents } from '../../src-shared/api.ts';

type AnyListener = (payload: never) => void;

/** Fan-out of hub events to the renderer's listeners; a throwing listener does not starve the rest. */
export function createEventFanout(): {
  on<E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void): () => void;
  emit(name: string, payload: unknown): void;
} {
  const listeners = new Map<string, Set<AnyListener>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) listeners.set(name, (set = new Set()));
      set.add(listener as AnyListener);
      return () => {
        set.delete(listener as AnyListener);
      };
    },
    emit(name, payload) {
      for (const listener of listeners.get(name) ?? []) {
        try {
          (listener as (p: unknown) => void)(payload);
        } catch (error) {
          console.error(`Listener for ${name} failed`, error);
        }
      }
    },
  };
}

/** A Result that came over a wire is only trusted as far as its shape. */
export function isResultShape(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return 'value' in v;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}
