/**
 * What the hub pushes without being asked, to every client (the window, `serve`'s sockets, the CLI).
 * Bursts of "this changed" are coalesced here, so each part reports changes as they happen.
 */
import type { EventName, HubEvents } from '../../src-shared/api.ts';
import type { Logger } from '../common/logger.ts';
import { BatchedIds } from './batched-ids.ts';

export type HubListener = (name: EventName, payload: unknown) => void;

/** Bursts of item or timeline changes become one `inbox.changed` / `chat.changed` event this often. */
const CHANGE_FLUSH_MS = 30;

export class HubEventBus {
  readonly #listeners = new Set<HubListener>();
  readonly #log: Logger;
  readonly #changedAccounts = new BatchedIds(CHANGE_FLUSH_MS, (accountIds) => this.emit('inbox.changed', { accountIds }));
  readonly #changedRooms = new BatchedIds(CHANGE_FLUSH_MS, (itemIds) => this.emit('chat.changed', { itemIds }));
  #disposed = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  on(listener: HubListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: HubEvents[E]): void {
    if (this.#disposed) return;
    for (const listener of this.#listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        this.#log.error('event listener failed', { event: name, error });
      }
    }
  }

  /** An account's items changed; one `inbox.changed` for a burst. */
  itemsChanged(accountId: string): void {
    if (!this.#disposed) this.#changedAccounts.add([accountId]);
  }

  /** Rooms' timelines changed; one `chat.changed` for a burst. */
  timelinesChanged(itemIds: string[]): void {
    if (!this.#disposed) this.#changedRooms.add(itemIds);
  }

  dispose(): void {
    this.#disposed = true;
    this.#changedAccounts.dispose();
    this.#changedRooms.dispose();
    this.#listeners.clear();
  }
}
