/**
 * For the durable IndexedDB tests and the crash-test child: the global `indexedDB` behind promises,
 * typed just enough for what they do (a Node build has no DOM IDB types).
 */
export interface TestRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: ((event: { preventDefault(): void }) => void) | null;
}

export interface TestOpenRequest extends TestRequest<TestDatabase> {
  transaction: TestTransaction | null;
  onupgradeneeded: ((event: { oldVersion: number }) => void) | null;
}

export interface TestIndex {
  getAll(query?: unknown): TestRequest<unknown[]>;
  count(query?: unknown): TestRequest<number>;
}

export interface TestObjectStore {
  put(value: unknown, key?: unknown): TestRequest<unknown>;
  add(value: unknown, key?: unknown): TestRequest<unknown>;
  get(key: unknown): TestRequest<unknown>;
  getAll(query?: unknown): TestRequest<unknown[]>;
  getAllKeys(query?: unknown): TestRequest<unknown[]>;
  delete(key: unknown): TestRequest<undefined>;
  clear(): TestRequest<undefined>;
  count(): TestRequest<number>;
  index(name: string): TestIndex;
  createIndex(name: string, keyPath: string | string[], options?: { unique?: boolean; multiEntry?: boolean }): TestIndex;
  deleteIndex(name: string): void;
  indexNames: { contains(name: string): boolean; length: number };
  keyPath: unknown;
  autoIncrement: boolean;
}

export interface TestTransaction {
  objectStore(name: string): TestObjectStore;
  abort(): void;
  commit(): void;
  error: unknown;
  oncomplete: (() => void) | null;
  onabort: (() => void) | null;
  onerror: (() => void) | null;
}

export interface TestDatabase {
  name: string;
  version: number;
  objectStoreNames: { contains(name: string): boolean; length: number };
  transaction(stores: string | string[], mode?: 'readonly' | 'readwrite'): TestTransaction;
  createObjectStore(name: string, options?: { keyPath?: string | string[]; autoIncrement?: boolean }): TestObjectStore;
  deleteObjectStore(name: string): void;
  close(): void;
}

export interface TestFactory {
  open(name: string, version?: number): TestOpenRequest;
  deleteDatabase(name: string): TestRequest<undefined>;
}

export interface TestKeyRangeStatics {
  bound(lower: unknown, upper: unknown, lowerOpen?: boolean, upperOpen?: boolean): unknown;
  lowerBound(lower: unknown, open?: boolean): unknown;
}

export function globalIndexedDb(): TestFactory {
  return (globalThis as unknown as { indexedDB: TestFactory }).indexedDB;
}

export function globalKeyRange(): TestKeyRangeStatics {
  return (globalThis as unknown as { IDBKeyRange: TestKeyRangeStatics }).IDBKeyRange;
}

export function openTestDatabase(
  name: string,
  version: number,
  upgrade: (db: TestDatabase, transaction: TestTransaction, oldVersion: number) => void = () => {},
): Promise<TestDatabase> {
  return new Promise((resolve, reject) => {
    const request = globalIndexedDb().open(name, version);
    request.onupgradeneeded = (event) => upgrade(request.result, request.transaction!, event.oldVersion);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function requestResult<T>(request: TestRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs `work` in one transaction and resolves on `complete` (rejects on abort). */
export function inTransaction<T>(
  db: TestDatabase,
  stores: string[],
  mode: 'readonly' | 'readwrite',
  work: (transaction: TestTransaction) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(stores, mode);
    const result = work(transaction);
    transaction.oncomplete = () => resolve(result);
    transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}

export function deleteTestDatabase(name: string): Promise<void> {
  return requestResult(globalIndexedDb().deleteDatabase(name)).then(() => undefined);
}
