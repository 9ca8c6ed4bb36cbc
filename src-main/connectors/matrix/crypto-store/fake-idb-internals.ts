/**
 * The parts of fake-indexeddb 6.2.8 below its public API that the journal relies on, in one place.
 * Changes are captured where the library applies them (its raw object store), and restored the
 * same way, because the public API cannot replay a put without re-running the key generator and
 * every request through the event loop. `discoverInternals` checks the shapes at start, and the
 * unit tests of this folder fail on a fake-indexeddb that moved them.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { CryptoStoreError } from './crypto-store-error.ts';

export type KeyPath = string | string[] | null;
export type TransactionMode = 'readonly' | 'readwrite' | 'versionchange';

/** fake-indexeddb types itself with the DOM's IDB types, which a Node build does not have. */
export interface KeyRange {
  lower: unknown;
  upper: unknown;
  lowerOpen: boolean;
  upperOpen: boolean;
}

interface KeyRangeStatics {
  new (...args: never[]): KeyRange;
  lowerBound(lower: unknown, open: boolean): KeyRange;
  upperBound(upper: unknown, open: boolean): KeyRange;
  bound(lower: unknown, upper: unknown, lowerOpen: boolean, upperOpen: boolean): KeyRange;
}

export const FakeKeyRange = IDBKeyRange as KeyRangeStatics;

/** The few members of a connection, request and factory this folder touches. */
export interface Connection {
  close(): void;
}

export interface OpenRequest {
  result: Connection;
  error: unknown;
  onupgradeneeded: (() => void) | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

export interface RawRecord {
  key: unknown;
  value: unknown;
}

/** fake-indexeddb's balanced tree of an index's entries, which it can rebuild from sorted records. */
export interface RawTree {
  _root: unknown;
  _numNodes: number;
  _numTombstones: number;
  _rebuild(records: RawRecord[], parent: undefined, red: boolean): unknown;
}

export interface RawIndex {
  name: string;
  keyPath: string | string[];
  multiEntry: boolean;
  unique: boolean;
  initialized: boolean;
  storeRecord(record: RawRecord): void;
  /** Entries in index order: key = the index key, value = the record's primary key. */
  records: { values(): Iterable<RawRecord>; records: RawTree };
}

export interface RawObjectStore {
  name: string;
  keyPath: KeyPath;
  autoIncrement: boolean;
  keyGenerator: { num: number } | null;
  records: { values(): Iterable<RawRecord>; put(record: RawRecord): unknown };
  rawIndexes: Map<string, RawIndex>;
  rawDatabase: RawDatabase;
  storeRecord(record: RawRecord, noOverwrite: boolean, rollbackLog?: unknown[]): unknown;
  deleteRecord(key: unknown, rollbackLog?: unknown[]): void;
  clear(rollbackLog?: unknown[]): void;
}

export interface RawTransaction {
  mode: TransactionMode;
  _state: string;
  _started: boolean;
  _rollbackLog: unknown[];
  db: RawConnection;
  _abort(errorName: string | null): void;
}

export interface RawConnection {
  _rawDatabase: RawDatabase;
}

export interface RawDatabase {
  name: string;
  version: number;
  rawObjectStores: Map<string, RawObjectStore>;
  connections: Connection[];
  transactions: RawTransaction[];
}

export interface RawFactory {
  _databases: Map<string, RawDatabase>;
}

export interface FakeIdbInternals {
  newDatabase(name: string, version: number): RawDatabase;
  newObjectStore(database: RawDatabase, name: string, keyPath: KeyPath, autoIncrement: boolean): RawObjectStore;
  newIndex(store: RawObjectStore, name: string, keyPath: string | string[], multiEntry: boolean, unique: boolean): RawIndex;
  objectStorePrototype: RawObjectStore;
}

type Constructor<T> = new (...args: never[]) => T;

let discovered: Promise<FakeIdbInternals> | undefined;

/** The raw classes are not exported, so a throwaway database hands them over. */
export function discoverInternals(): Promise<FakeIdbInternals> {
  discovered ??= probe();
  return discovered;
}

async function probe(): Promise<FakeIdbInternals> {
  const factory = new IDBFactory();
  const db = await new Promise<Connection>((resolve, reject) => {
    const request = factory.open('probe', 1) as OpenRequest;
    request.onupgradeneeded = () => {
      const connection = request.result as unknown as { createObjectStore(name: string): { createIndex(name: string, keyPath: string): unknown } };
      connection.createObjectStore('store').createIndex('index', 'field');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error('fake-indexeddb could not open a probe database', { cause: request.error }));
  });
  const raw = (db as unknown as RawConnection)._rawDatabase;
  db.close();
  const store = raw?.rawObjectStores?.get('store');
  const index = store?.rawIndexes?.get('index');
  const shapeOk =
    raw !== undefined &&
    Array.isArray(raw.transactions) &&
    (factory as unknown as Partial<RawFactory>)._databases instanceof Map &&
    store !== undefined &&
    typeof store.storeRecord === 'function' &&
    typeof store.deleteRecord === 'function' &&
    typeof store.clear === 'function' &&
    typeof store.records?.put === 'function' &&
    index !== undefined &&
    typeof index.storeRecord === 'function' &&
    typeof index.records?.values === 'function' &&
    typeof index.records.records?._rebuild === 'function' &&
    typeof index.records.records._numNodes === 'number';
  if (!shapeOk) {
    throw new CryptoStoreError('misuse', 'This fake-indexeddb is not the version the crypto store was built for (6.2.8).');
  }
  const DatabaseClass = raw.constructor as Constructor<RawDatabase>;
  const ObjectStoreClass = store.constructor as Constructor<RawObjectStore>;
  const IndexClass = index.constructor as Constructor<RawIndex>;
  return {
    newDatabase: (name, version) => new (DatabaseClass as unknown as new (n: string, v: number) => RawDatabase)(name, version),
    newObjectStore: (database, name, keyPath, autoIncrement) =>
      new (ObjectStoreClass as unknown as new (d: RawDatabase, n: string, k: KeyPath, a: boolean) => RawObjectStore)(
        database,
        name,
        keyPath,
        autoIncrement,
      ),
    newIndex: (objectStore, name, keyPath, multiEntry, unique) =>
      new (IndexClass as unknown as new (s: RawObjectStore, n: string, k: string | string[], m: boolean, u: boolean) => RawIndex)(
        objectStore,
        name,
        keyPath,
        multiEntry,
        unique,
      ),
    objectStorePrototype: Object.getPrototypeOf(store) as RawObjectStore,
  };
}

/** A deleted range, as plain data: v8.serialize cannot carry an IDBKeyRange. */
export interface KeyRangeData {
  lower: unknown;
  upper: unknown;
  lowerOpen: boolean;
  upperOpen: boolean;
}

export function keyRangeToData(range: KeyRange): KeyRangeData {
  return { lower: range.lower, upper: range.upper, lowerOpen: range.lowerOpen, upperOpen: range.upperOpen };
}

export function keyRangeFromData(data: KeyRangeData): KeyRange {
  if (data.lower === undefined) return FakeKeyRange.upperBound(data.upper, data.upperOpen);
  if (data.upper === undefined) return FakeKeyRange.lowerBound(data.lower, data.lowerOpen);
  return FakeKeyRange.bound(data.lower, data.upper, data.lowerOpen, data.upperOpen);
}
