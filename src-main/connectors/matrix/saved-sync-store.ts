/**
 * matrix-js-sdk keeps sync state in memory unless given IndexedDB, which Node lacks. This store does
 * what its IndexedDB backend does — fold every /sync response into a SyncAccumulator and hand the
 * result back as the "saved sync" at start — but persists it through the hub's cursor, so a restart
 * resumes from the last sync token instead of downloading every room again.
 */
import { MemoryStore } from 'matrix-js-sdk';
import type { ISavedSync } from 'matrix-js-sdk/lib/store/index.js';
import { SyncAccumulator } from 'matrix-js-sdk/lib/sync-accumulator.js';
import type { ISyncData, ISyncResponse } from 'matrix-js-sdk/lib/sync-accumulator.js';

/** The same rhythm as the SDK's IndexedDB store would keep if it saved this often; a stop saves at once. */
const SAVE_INTERVAL_MS = 30_000;

export interface SyncPersistence {
  load(): ISyncData | undefined;
  save(data: ISyncData): void;
}

export class SavedSyncStore extends MemoryStore {
  readonly #persistence: SyncPersistence;
  readonly #accumulator = new SyncAccumulator();
  #loaded = false;
  #lastSaved = 0;
  #dirty = false;
  #sealed = false;

  constructor(persistence: SyncPersistence) {
    super();
    this.#persistence = persistence;
  }

  override async startup(): Promise<void> {
    const saved = this.#persistence.load();
    if (saved?.nextBatch) {
      this.#accumulator.accumulate({ next_batch: saved.nextBatch, rooms: saved.roomsData, account_data: { events: saved.accountData } } as ISyncResponse, true);
      this.#loaded = true;
    }
    this.#lastSaved = Date.now();
  }

  override async isNewlyCreated(): Promise<boolean> {
    return !this.#loaded;
  }

  override async getSavedSync(): Promise<ISavedSync | null> {
    const data = this.#accumulator.getJSON();
    if (!data.nextBatch) return null;
    // The SDK takes ownership of what it is given; the accumulator must not see its changes.
    return structuredClone({ nextBatch: data.nextBatch, roomsData: data.roomsData, accountData: data.accountData });
  }

  override async getSavedSyncToken(): Promise<string | null> {
    return this.#accumulator.getNextBatchToken() || null;
  }

  override async setSyncData(syncData: ISyncResponse): Promise<void> {
    this.#accumulator.accumulate(syncData);
    this.#dirty = true;
  }

  override wantsSave(): boolean {
    return this.#dirty && Date.now() - this.#lastSaved >= SAVE_INTERVAL_MS;
  }

  override async save(force = false): Promise<void> {
    if (this.#sealed || !this.#dirty || (!force && !this.wantsSave())) return;
    this.#persistence.save(this.#accumulator.getJSON(true));
    this.#lastSaved = Date.now();
    this.#dirty = false;
  }

  /**
   * Saves once more and never again. A stopping client may still finish the sync it was processing
   * after its crypto closed, with that sync's to-device messages unhandled; saving its token then
   * would acknowledge them to the server and lose them.
   */
  async seal(): Promise<void> {
    await this.save(true);
    this.#sealed = true;
  }

  override async deleteAllData(): Promise<void> {
    await super.deleteAllData();
    this.#dirty = false;
  }
}
