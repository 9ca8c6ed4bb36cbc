import { describe, expect, it } from 'vitest';
import type { ISyncData, ISyncResponse } from 'matrix-js-sdk/lib/sync-accumulator.js';
import { SavedSyncStore } from './saved-sync-store.ts';

const response = (nextBatch: string) => ({ next_batch: nextBatch, rooms: { join: {}, invite: {}, leave: {}, knock: {} }, account_data: { events: [] } }) as unknown as ISyncResponse;

describe('the saved sync state', () => {
  it('is saved once more when sealed, and a sync finished after that is never saved', async () => {
    const saved: ISyncData[] = [];
    const store = new SavedSyncStore({ load: () => undefined, save: (data) => saved.push(data) });
    await store.startup();
    await store.setSyncData(response('s1'));
    await store.seal();
    expect(saved.map((s) => s.nextBatch)).toEqual(['s1']);
    // The stopping client finishes the sync it was in, its to-device messages not handled by the closed crypto.
    await store.setSyncData(response('s2'));
    await store.save(true);
    expect(saved.map((s) => s.nextBatch)).toEqual(['s1']);
  });

  it('resumes from what was saved', async () => {
    let saved: ISyncData | undefined;
    const first = new SavedSyncStore({ load: () => undefined, save: (data) => (saved = data) });
    await first.startup();
    expect(await first.isNewlyCreated()).toBe(true);
    await first.setSyncData(response('s7'));
    await first.save(true);
    const second = new SavedSyncStore({ load: () => saved, save: () => undefined });
    await second.startup();
    expect(await second.isNewlyCreated()).toBe(false);
    expect(await second.getSavedSyncToken()).toBe('s7');
  });
});
