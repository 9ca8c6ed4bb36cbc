import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { databaseFromImage, imageOf } from './database-image.ts';
import type { DatabaseImage } from './database-image.ts';
import { discoverInternals } from './fake-idb-internals.ts';
import type { RawConnection, RawDatabase } from './fake-idb-internals.ts';

interface SetupConnection {
  createObjectStore(name: string, options: { keyPath: string }): {
    createIndex(name: string, keyPath: string | string[], options?: { multiEntry?: boolean; unique?: boolean }): unknown;
    put(value: unknown): unknown;
  };
}

/** A database like the Rust crypto's room keys: a compound index, a multi-entry one and a unique one. */
async function roomKeyDatabase(count: number): Promise<RawDatabase> {
  const factory = new IDBFactory();
  const connection = await new Promise<RawConnection & { close(): void }>((resolve, reject) => {
    const request = factory.open('image-test', 1) as unknown as { result: unknown; onupgradeneeded: () => void; onsuccess: () => void; onerror: () => void; error: unknown };
    request.onupgradeneeded = () => {
      const store = (request.result as SetupConnection).createObjectStore('sessions', { keyPath: 'id' });
      store.createIndex('bySenderAndSession', ['senderKey', 'type', 'sessionId']);
      store.createIndex('byTag', 'tags', { multiEntry: true });
      store.createIndex('bySessionId', 'sessionId', { unique: true });
      // Inserted out of index order, as session ids arrive.
      for (let i = 0; i < count; i++) {
        const n = (i * 7919) % count;
        store.put({ id: `room-${i}`, senderKey: `sender-${n % 13}`, type: n % 3, sessionId: `session-${n}`, tags: [`t${n % 4}`, 'all'] });
      }
    };
    request.onsuccess = () => resolve(request.result as RawConnection & { close(): void });
    request.onerror = () => reject(request.error);
  });
  connection.close();
  return connection._rawDatabase;
}

function entriesOf(database: RawDatabase): Record<string, unknown[]> {
  const store = database.rawObjectStores.get('sessions')!;
  return Object.fromEntries([...store.rawIndexes.values()].map((index) => [index.name, [...index.records.values()].map((e) => [e.key, e.value])]));
}

describe('database images', () => {
  it('bring indexes back from their saved entries exactly as they were', async () => {
    const internals = await discoverInternals();
    const original = await roomKeyDatabase(500);
    const image = imageOf(original);
    expect(image.stores[0]!.indexes.every((index) => index.entryKeys?.length === index.entryValues?.length)).toBe(true);
    const restored = databaseFromImage(internals, structuredClone(image));
    expect(entriesOf(restored)).toEqual(entriesOf(original));
    expect(entriesOf(restored)['byTag']).toHaveLength(1000);
  });

  it('recompute the indexes of a snapshot that has no saved entries (an older build wrote it)', async () => {
    const internals = await discoverInternals();
    const original = await roomKeyDatabase(200);
    const image: DatabaseImage = structuredClone(imageOf(original));
    for (const index of image.stores[0]!.indexes) {
      delete index.entryKeys;
      delete index.entryValues;
    }
    expect(entriesOf(databaseFromImage(internals, image))).toEqual(entriesOf(original));
  });
});
