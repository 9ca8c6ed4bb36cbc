/**
 * What the journal and the snapshot say about a database, as plain data for `node:v8` serialize:
 * a whole database (schema, records, key generators) or one committed transaction's changes.
 */
import type { FakeIdbInternals, KeyPath, KeyRangeData, RawDatabase, RawObjectStore } from './fake-idb-internals.ts';
import { keyRangeFromData } from './fake-idb-internals.ts';
import { CryptoStoreError } from './crypto-store-error.ts';

export interface IndexSchema {
  name: string;
  keyPath: string | string[];
  multiEntry: boolean;
  unique: boolean;
  /**
   * The index's entries in index order (key: index key, value: primary key). Saved because
   * recomputing them costs a comparison-heavy insert per record: about a second for the Rust
   * crypto's 20,000 room keys, against a few milliseconds to rebuild the tree from sorted entries.
   * Absent in snapshots of older builds, whose indexes are recomputed.
   */
  entryKeys?: unknown[];
  entryValues?: unknown[];
}

export interface StoreImage {
  name: string;
  keyPath: KeyPath;
  autoIncrement: boolean;
  /** The next generated key depends on this, not on the largest key still present. */
  keyGeneratorNum: number | null;
  indexes: IndexSchema[];
  keys: unknown[];
  values: unknown[];
}

export interface DatabaseImage {
  name: string;
  version: number;
  stores: StoreImage[];
}

export type RecordChange =
  | { op: 'put'; store: string; key: unknown; value: unknown }
  | { op: 'delete'; store: string; key: unknown }
  | { op: 'deleteRange'; store: string; range: KeyRangeData }
  | { op: 'clear'; store: string };

export const JOURNAL_FORMAT = 1;

export type JournalEntry =
  /** First frame of every journal: which snapshot it continues. */
  | { kind: 'header'; format: typeof JOURNAL_FORMAT; generation: number }
  /** A committed readwrite transaction, its changes in the order they were applied. */
  | { kind: 'changes'; database: string; changes: RecordChange[]; keyGenerators: [string, number][] }
  /** A committed versionchange transaction: rare, so the whole database rather than a schema diff. */
  | { kind: 'database'; image: DatabaseImage }
  | { kind: 'deleteDatabase'; database: string };

export interface SnapshotImage {
  format: typeof JOURNAL_FORMAT;
  generation: number;
  databases: DatabaseImage[];
}

export function imageOf(database: RawDatabase): DatabaseImage {
  const stores: StoreImage[] = [];
  for (const store of database.rawObjectStores.values()) {
    const keys: unknown[] = [];
    const values: unknown[] = [];
    for (const record of store.records.values()) {
      keys.push(record.key);
      values.push(record.value);
    }
    stores.push({
      name: store.name,
      keyPath: store.keyPath,
      autoIncrement: store.autoIncrement,
      keyGeneratorNum: store.keyGenerator?.num ?? null,
      indexes: [...store.rawIndexes.values()].map((index) => {
        const entryKeys: unknown[] = [];
        const entryValues: unknown[] = [];
        for (const entry of index.records.values()) {
          entryKeys.push(entry.key);
          entryValues.push(entry.value);
        }
        return { name: index.name, keyPath: index.keyPath, multiEntry: index.multiEntry, unique: index.unique, entryKeys, entryValues };
      }),
      keys,
      values,
    });
  }
  return { name: database.name, version: database.version, stores };
}

export function databaseFromImage(internals: FakeIdbInternals, image: DatabaseImage): RawDatabase {
  const database = internals.newDatabase(image.name, image.version);
  for (const storeImage of image.stores) {
    const store = internals.newObjectStore(database, storeImage.name, storeImage.keyPath, storeImage.autoIncrement);
    // Records go in by their saved keys, bypassing key extraction: they were valid when committed.
    for (let i = 0; i < storeImage.keys.length; i += 1) {
      store.records.put({ key: storeImage.keys[i], value: storeImage.values[i] });
    }
    if (store.keyGenerator !== null && storeImage.keyGeneratorNum !== null) store.keyGenerator.num = storeImage.keyGeneratorNum;
    for (const schema of storeImage.indexes) {
      const index = internals.newIndex(store, schema.name, schema.keyPath, schema.multiEntry, schema.unique);
      if (schema.entryKeys !== undefined && schema.entryValues !== undefined && schema.entryKeys.length === schema.entryValues.length) {
        const entries = schema.entryKeys.map((key, i) => ({ key, value: schema.entryValues![i] }));
        const tree = index.records.records;
        tree._root = tree._rebuild(entries, undefined, false);
        tree._numNodes = entries.length;
        tree._numTombstones = 0;
      } else {
        for (const record of store.records.values()) index.storeRecord(record);
      }
      index.initialized = true;
      store.rawIndexes.set(schema.name, index);
    }
    database.rawObjectStores.set(storeImage.name, store);
  }
  return database;
}

/** Replays one committed transaction through the same raw operations that first applied it. */
export function applyChanges(database: RawDatabase, changes: RecordChange[], keyGenerators: [string, number][]): void {
  for (const change of changes) {
    const store = storeOf(database, change.store);
    switch (change.op) {
      case 'put':
        store.storeRecord({ key: change.key, value: change.value }, false);
        break;
      case 'delete':
        store.deleteRecord(change.key);
        break;
      case 'deleteRange':
        store.deleteRecord(keyRangeFromData(change.range));
        break;
      case 'clear':
        store.clear();
        break;
      default:
        throw unknownChange(change);
    }
  }
  for (const [name, num] of keyGenerators) {
    const generator = storeOf(database, name).keyGenerator;
    if (generator !== null) generator.num = num;
  }
}

function storeOf(database: RawDatabase, name: string): RawObjectStore {
  const store = database.rawObjectStores.get(name);
  if (store === undefined) {
    throw new CryptoStoreError('unreadable', `The crypto store journal changes "${name}", which database ${database.name} does not have.`);
  }
  return store;
}

function unknownChange(change: never): Error {
  return new CryptoStoreError('unreadable', `The crypto store journal holds an unknown change: ${JSON.stringify(change)}.`);
}
