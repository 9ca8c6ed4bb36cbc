/**
 * A durable IndexedDB for matrix-js-sdk's Rust crypto in Node, which otherwise keeps its keys only in
 * memory and becomes a new device on every start.
 *
 * One fake-indexeddb factory serves the whole process as the global `indexedDB` (the crypto wasm
 * checks `instanceof` against the global IDB classes, so there can be only one set). Each Matrix
 * account opens its own store on its own directory with its own `databasePrefix`, passed to
 * `initRustCrypto` as `cryptoDatabasePrefix`; the store owns the databases named `${prefix}::…`
 * (the wasm names them `${prefix}::matrix-sdk-crypto` and `…-meta`) and journals their commits to its
 * directory. Databases nobody owns stay in memory only.
 *
 * Every committed readwrite transaction becomes one frame appended to `journal` and fdatasync'd in
 * fake-indexeddb's commit path, before the `complete` event is dispatched: the SDK acts on a commit
 * (uploads the one-time keys it just stored, acknowledges to-device messages) only after hearing of
 * it, so anything it acted on survives a SIGKILL. When the journal outgrows the last snapshot, or on
 * a timer, the databases are written to `snapshot` and the journal restarts (journal-files.ts).
 *
 * One exception, for matrix-sdk-crypto 0.19: decrypting a to-device message that opens a new Olm
 * session commits the session on its own, and the room key the message carries a moment later in a
 * second commit. Saved alone, the first commit makes a crash between the two lose that key for good:
 * on redelivery the session has already used the message up. So a commit that writes only Olm
 * sessions (and devices) is held back and journaled together with the next commit — or after
 * HELD_COMMIT_MAX_MS, or on close or snapshot. Lost in a crash, it leaves the state from before the
 * message, which the server hands out again (it is acknowledged by the next /sync, which the SDK
 * makes only after the whole sync's commits).
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  forceCloseDatabase,
  IDBCursor,
  IDBCursorWithValue,
  IDBDatabase,
  IDBFactory,
  IDBIndex,
  IDBKeyRange,
  IDBObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
} from 'fake-indexeddb';
import { CryptoStoreError } from './crypto-store-error.ts';
import { imageOf } from './database-image.ts';
import type { JournalEntry, RecordChange } from './database-image.ts';
import { discoverInternals, FakeKeyRange, keyRangeToData } from './fake-idb-internals.ts';
import type { Connection, FakeIdbInternals, RawDatabase, RawFactory, RawObjectStore, RawRecord, RawTransaction } from './fake-idb-internals.ts';
import { JournalFiles } from './journal-files.ts';
import type { LoadReport } from './journal-files.ts';
import { acquireStoreLock } from './store-lock.ts';
import type { StoreLock } from './store-lock.ts';

export interface DurableIndexedDbOptions {
  /** The `cryptoDatabasePrefix` this account gives `initRustCrypto`. Default: the SDK's own default. */
  databasePrefix?: string;
  /** Snapshot once the journal's commits exceed this or the last snapshot, whichever is larger. */
  snapshotAfterBytes?: number;
  /** Snapshot this often while commits wait in the journal; 0 turns the timer off. */
  snapshotIntervalMs?: number;
  /** Failures off the commit path (timer snapshots, a deleted database's record). Default: a process warning. */
  onBackgroundError?: (error: Error) => void;
}

export interface RustCryptoStoreOptions {
  useIndexedDB: true;
  cryptoDatabasePrefix: string;
  storageKey: Uint8Array;
}

export interface DurableIndexedDb {
  readonly dir: string;
  readonly databasePrefix: string;
  /** What opening found on disk and how long loading took. */
  readonly loaded: LoadReport & { loadMs: number };
  /** Makes the process's durable factory the global `indexedDB` and IDB classes; safe to call again. */
  install(): void;
  /** Arguments for `client.initRustCrypto`; the 32-byte key encrypts the store's values at rest. */
  rustCryptoOptions(storageKey: Uint8Array): RustCryptoStoreOptions;
  /** Resolves once every commit so far is on disk (each already is when its `complete` fires). */
  flush(): Promise<void>;
  /** Writes a snapshot now, once no write transaction of this store is running. */
  snapshot(): Promise<void>;
  /** Snapshots, closes the store's connections, stops the timer and releases the lock. Stop the client first. */
  close(): Promise<void>;
  /** Logging out: closes without a snapshot and deletes the store's files. */
  destroy(): Promise<void>;
}

const DEFAULT_DATABASE_PREFIX = 'matrix-js-sdk';
const DEFAULT_SNAPSHOT_AFTER_BYTES = 4 * 1024 * 1024;
const DEFAULT_SNAPSHOT_INTERVAL_MS = 10 * 60_000;
/** How long snapshot() and close() wait for running write transactions before giving up. */
const QUIESCENCE_TIMEOUT_MS = 10_000;
const STORAGE_KEY_BYTES = 32;
/** The Rust crypto's database, and the stores of a commit that may wait for the next one. */
const CRYPTO_DATABASE_SUFFIX = '::matrix-sdk-crypto';
const HOLDABLE_STORES = new Set(['session', 'devices']);
const HELD_COMMIT_MAX_MS = 1_000;

export async function openDurableIndexedDb(dir: string, options: DurableIndexedDbOptions = {}): Promise<DurableIndexedDb> {
  const host = await processIndexedDb();
  return host.open(dir, options);
}

/** The global IDB names the wasm looks up, and the fake-indexeddb classes behind them. */
const IDB_GLOBALS: Record<string, unknown> = {
  IDBKeyRange,
  IDBDatabase,
  IDBTransaction,
  IDBObjectStore,
  IDBIndex,
  IDBCursor,
  IDBCursorWithValue,
  IDBRequest,
  IDBOpenDBRequest,
  IDBVersionChangeEvent,
  IDBFactory,
};

interface FactoryApi {
  deleteDatabase(name: string): { addEventListener(type: 'success', listener: () => void): void };
}

interface DispatchedEvent {
  type: string;
}

let host: Promise<ProcessIndexedDb> | undefined;

function processIndexedDb(): Promise<ProcessIndexedDb> {
  host ??= discoverInternals().then((internals) => new ProcessIndexedDb(internals));
  return host;
}

/** The process's one factory, the hooks into fake-indexeddb, and the stores that own its databases. */
class ProcessIndexedDb {
  readonly factory: RawFactory & FactoryApi;
  readonly internals: FakeIdbInternals;
  private readonly stores = new Map<string, OpenStore>();
  /** Keyed by a transaction's rollback log: the one per-transaction object the raw store methods see. */
  private readonly changesByRollbackLog = new WeakMap<unknown[], RecordChange[]>();
  /** Databases of closed stores: a commit that still reaches one could not be saved anywhere. */
  private readonly releasedDatabases = new WeakSet<RawDatabase>();

  constructor(internals: FakeIdbInternals) {
    this.internals = internals;
    this.factory = new IDBFactory() as unknown as RawFactory & FactoryApi;
    this.hookRecordChanges();
    this.hookTransactions();
    this.hookDeleteDatabase();
  }

  async open(dir: string, options: DurableIndexedDbOptions): Promise<DurableIndexedDb> {
    const databasePrefix = options.databasePrefix ?? DEFAULT_DATABASE_PREFIX;
    for (const other of this.stores.values()) {
      if (ownsName(other.databasePrefix, `${databasePrefix}::`) || ownsName(databasePrefix, `${other.databasePrefix}::`)) {
        throw new CryptoStoreError('misuse', `The crypto database prefix "${databasePrefix}" overlaps "${other.databasePrefix}" of ${other.dir}.`);
      }
    }
    for (const name of this.factory._databases.keys()) {
      if (ownsName(databasePrefix, name)) {
        throw new CryptoStoreError('misuse', `Database ${name} was opened before its durable store; open the store before initRustCrypto.`);
      }
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = acquireStoreLock(dir);
    try {
      const started = performance.now();
      const { files, databases, report } = JournalFiles.load(dir, this.internals);
      for (const [name, database] of databases) {
        if (!ownsName(databasePrefix, name)) {
          throw new CryptoStoreError('misuse', `The crypto store in ${dir} holds database ${name}, which prefix "${databasePrefix}" does not own.`);
        }
        this.factory._databases.set(name, database);
      }
      const store = new OpenStore(this, dir, databasePrefix, files, lock, { ...report, loadMs: performance.now() - started }, options);
      this.stores.set(databasePrefix, store);
      return store;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  installGlobals(): void {
    const globals = globalThis as unknown as Record<string, unknown>;
    const wanted: Record<string, unknown> = { indexedDB: this.factory, ...IDB_GLOBALS };
    for (const [name, value] of Object.entries(wanted)) {
      if (globals[name] !== undefined && globals[name] !== value) {
        throw new CryptoStoreError('misuse', `globalThis.${name} is already set by something else; the crypto store cannot replace it.`);
      }
    }
    for (const [name, value] of Object.entries(wanted)) globals[name] = value;
  }

  ownedDatabases(databasePrefix: string): RawDatabase[] {
    return [...this.factory._databases.values()].filter((database) => ownsName(databasePrefix, database.name));
  }

  /** Detaches a closing store: its connections are closed and its databases leave the factory. */
  release(store: OpenStore): void {
    for (const database of this.ownedDatabases(store.databasePrefix)) {
      for (const connection of [...database.connections]) forceCloseDatabase(connection as unknown as Parameters<typeof forceCloseDatabase>[0]);
      this.factory._databases.delete(database.name);
      this.releasedDatabases.add(database);
    }
    this.stores.delete(store.databasePrefix);
  }

  private storeOwning(database: RawDatabase): OpenStore | undefined {
    // A database deleted and re-created under the same name is a different object: only the live one counts.
    if (this.factory._databases.get(database.name) !== database) return undefined;
    return this.storeOwningName(database.name);
  }

  private storeOwningName(name: string): OpenStore | undefined {
    for (const store of this.stores.values()) if (ownsName(store.databasePrefix, name)) return store;
    return undefined;
  }

  /**
   * Records what a transaction applies, at the raw object store where fake-indexeddb applies it. A
   * call without a rollback log is a rollback or a replay, never a change to record; a call that
   * throws (a ConstraintError) changed nothing.
   */
  private hookRecordChanges(): void {
    const prototype = this.internals.objectStorePrototype;
    const { storeRecord, deleteRecord, clear } = prototype;
    const changesOf = (rollbackLog: unknown[] | undefined) => (rollbackLog === undefined ? undefined : this.changesByRollbackLog.get(rollbackLog));
    prototype.storeRecord = function (this: RawObjectStore, record: RawRecord, noOverwrite: boolean, rollbackLog?: unknown[]) {
      const key = storeRecord.call(this, record, noOverwrite, rollbackLog);
      changesOf(rollbackLog)?.push({ op: 'put', store: this.name, key: record.key, value: record.value });
      return key;
    };
    prototype.deleteRecord = function (this: RawObjectStore, key: unknown, rollbackLog?: unknown[]) {
      deleteRecord.call(this, key, rollbackLog);
      changesOf(rollbackLog)?.push(
        key instanceof FakeKeyRange ? { op: 'deleteRange', store: this.name, range: keyRangeToData(key) } : { op: 'delete', store: this.name, key },
      );
    };
    prototype.clear = function (this: RawObjectStore, rollbackLog?: unknown[]) {
      clear.call(this, rollbackLog);
      changesOf(rollbackLog)?.push({ op: 'clear', store: this.name });
    };
  }

  /**
   * fake-indexeddb finishes a transaction by marking it finished and dispatching `complete` on it
   * (FDBTransaction._start); its own bookkeeping and every listener of the SDK run inside that
   * dispatch. Overriding dispatchEvent on the transaction class puts the journal write before all of
   * them, synchronously: no task can observe the commit before its frame is on disk. If the write
   * fails, the transaction is rolled back and aborted instead, so the SDK never acts on a commit that
   * a restart would lose.
   */
  private hookTransactions(): void {
    const connectionPrototype = IDBDatabase.prototype as unknown as { transaction(this: Connection, ...args: unknown[]): RawTransaction };
    const transactionPrototype = IDBTransaction.prototype as { dispatchEvent(this: RawTransaction, event: DispatchedEvent): boolean };
    const openTransaction = connectionPrototype.transaction;
    const dispatchEvent = transactionPrototype.dispatchEvent;
    // The hooks run with fake-indexeddb's `this`; these carry the host's.
    const startRecording = (transaction: RawTransaction) => {
      if (transaction.mode === 'readwrite' && this.storeOwning(transaction.db._rawDatabase) !== undefined) {
        this.changesByRollbackLog.set(transaction._rollbackLog, []);
      }
    };
    const journalCommit = (transaction: RawTransaction) => this.journalCommit(transaction);
    connectionPrototype.transaction = function (this: Connection, ...args: unknown[]) {
      const transaction = openTransaction.apply(this, args);
      startRecording(transaction);
      return transaction;
    };
    transactionPrototype.dispatchEvent = function (this: RawTransaction, event: DispatchedEvent) {
      if (event.type === 'complete' && !journalCommit(this)) return false;
      return dispatchEvent.call(this, event);
    };
  }

  /** false: the commit could not be saved and the transaction was aborted instead. */
  private journalCommit(transaction: RawTransaction): boolean {
    if (transaction.mode === 'readonly') return true;
    const database = transaction.db._rawDatabase;
    if (this.releasedDatabases.has(database)) {
      // A transaction the SDK queued before its store closed: failing it beats a commit lost on restart.
      transaction._abort('InvalidStateError');
      return false;
    }
    const store = this.storeOwning(database);
    if (store === undefined) return true;
    let entry: JournalEntry;
    if (transaction.mode === 'versionchange') {
      entry = { kind: 'database', image: imageOf(database) };
    } else {
      const changes = this.changesByRollbackLog.get(transaction._rollbackLog);
      this.changesByRollbackLog.delete(transaction._rollbackLog);
      // The wasm opens readwrite transactions that only read; they leave nothing to save.
      if (changes === undefined || changes.length === 0) return true;
      entry = { kind: 'changes', database: database.name, changes, keyGenerators: keyGeneratorsOf(database, changes) };
    }
    try {
      if (entry.kind === 'changes' && isHoldable(database.name, entry.changes)) {
        store.holdBack(entry);
        return true;
      }
      store.append(entry);
    } catch (error) {
      store.reportBackgroundError(error);
      transaction._abort('UnknownError');
      return false;
    }
    store.afterCommit();
    return true;
  }

  /** A deleted database is recorded when its deletion succeeds, before the caller's success handler runs. */
  private hookDeleteDatabase(): void {
    const deleteDatabase = this.factory.deleteDatabase.bind(this.factory);
    this.factory.deleteDatabase = (name: string) => {
      const request = deleteDatabase(name);
      const store = this.storeOwningName(name);
      if (store !== undefined) request.addEventListener('success', () => store.recordDeletion(name));
      return request;
    };
  }
}

class OpenStore implements DurableIndexedDb {
  readonly dir: string;
  readonly databasePrefix: string;
  readonly loaded: LoadReport & { loadMs: number };
  private readonly host: ProcessIndexedDb;
  private readonly files: JournalFiles;
  private readonly lock: StoreLock;
  private readonly snapshotAfterBytes: number;
  private readonly onBackgroundError: (error: Error) => void;
  private readonly timer: NodeJS.Timeout | undefined;
  private snapshotDue = false;
  private closed = false;
  /** Commits held back to be journaled with the next one, oldest first. */
  private readonly held: JournalEntry[] = [];
  private heldTimer: NodeJS.Timeout | undefined;

  constructor(
    host: ProcessIndexedDb,
    dir: string,
    databasePrefix: string,
    files: JournalFiles,
    lock: StoreLock,
    loaded: LoadReport & { loadMs: number },
    options: DurableIndexedDbOptions,
  ) {
    this.host = host;
    this.dir = dir;
    this.databasePrefix = databasePrefix;
    this.files = files;
    this.lock = lock;
    this.loaded = loaded;
    this.snapshotAfterBytes = options.snapshotAfterBytes ?? DEFAULT_SNAPSHOT_AFTER_BYTES;
    this.onBackgroundError = options.onBackgroundError ?? ((error) => process.emitWarning(error));
    const intervalMs = options.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    if (intervalMs > 0) {
      this.timer = setInterval(() => {
        if (this.files.uncompactedBytes > 0) this.snapshotWhenIdle();
      }, intervalMs);
      this.timer.unref();
    }
  }

  install(): void {
    this.assertOpen();
    this.host.installGlobals();
  }

  rustCryptoOptions(storageKey: Uint8Array): RustCryptoStoreOptions {
    if (storageKey.length !== STORAGE_KEY_BYTES) {
      throw new CryptoStoreError('misuse', `The crypto store key must be ${STORAGE_KEY_BYTES} bytes, not ${storageKey.length}.`);
    }
    return { useIndexedDB: true, cryptoDatabasePrefix: this.databasePrefix, storageKey };
  }

  append(entry: JournalEntry): void {
    this.writeHeld();
    this.files.append(entry);
  }

  /** Keeps a commit in memory until the next one, which is journaled after it (see the header). */
  holdBack(entry: JournalEntry): void {
    this.held.push(entry);
    this.heldTimer ??= setTimeout(() => {
      this.heldTimer = undefined;
      try {
        this.writeHeld();
      } catch (error) {
        // The changes stay in memory and go into the next snapshot; a crash before it loses only them.
        this.snapshotDue = true;
        this.reportBackgroundError(error);
      }
    }, HELD_COMMIT_MAX_MS);
    this.heldTimer.unref?.();
  }

  private writeHeld(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    while (this.held.length > 0) {
      this.files.append(this.held[0]!);
      this.held.shift();
    }
  }

  /** On the commit path, after the frame is safe: compacts when the journal has grown enough. */
  afterCommit(): void {
    const grown = this.files.uncompactedBytes > Math.max(this.snapshotAfterBytes, this.files.snapshotBytes);
    if (grown || this.snapshotDue) this.snapshotWhenIdle();
  }

  recordDeletion(name: string): void {
    if (this.closed) return;
    try {
      this.files.append({ kind: 'deleteDatabase', database: name });
    } catch (error) {
      // The database is gone from memory already; the next snapshot, which holds the truth, must happen.
      this.snapshotDue = true;
      this.reportBackgroundError(error);
    }
  }

  async flush(): Promise<void> {
    this.assertOpen();
    this.writeHeld();
    this.files.sync();
  }

  async snapshot(): Promise<void> {
    this.assertOpen();
    await this.waitUntilIdle();
    this.writeSnapshot();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.waitUntilIdle();
      if (this.files.uncompactedBytes > 0 || this.held.length > 0) this.writeSnapshot();
    } catch (error) {
      // Every commit is in the journal already: a snapshot that fails only makes the next start slower.
      this.reportBackgroundError(error);
    }
    this.shutDown();
  }

  async destroy(): Promise<void> {
    if (this.closed) throw new CryptoStoreError('misuse', `The crypto store in ${this.dir} is closed; open it again to destroy it.`);
    this.shutDown({ removeFiles: true });
  }

  reportBackgroundError(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    try {
      this.onBackgroundError(reported);
    } catch {
      // A failing error handler must not break the commit path it was called from.
    }
  }

  /**
   * Snapshots only between write transactions: fake-indexeddb applies a transaction's changes as it
   * goes and undoes them on abort, so a snapshot taken while one runs could keep changes that never
   * commit. A busy store snapshots at its next commit instead.
   */
  private snapshotWhenIdle(): void {
    if (this.closed) return;
    if (!this.isIdle()) {
      this.snapshotDue = true;
      return;
    }
    try {
      this.writeSnapshot();
    } catch (error) {
      this.reportBackgroundError(error);
    }
  }

  private writeSnapshot(): void {
    // Held commits are in the databases already: the snapshot carries them, so they are done.
    this.files.writeSnapshot(this.host.ownedDatabases(this.databasePrefix));
    this.held.length = 0;
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    this.snapshotDue = false;
  }

  private isIdle(): boolean {
    return this.host
      .ownedDatabases(this.databasePrefix)
      .every((database) => database.transactions.every((t) => t.mode === 'readonly' || !t._started || t._state === 'finished'));
  }

  private async waitUntilIdle(): Promise<void> {
    const deadline = Date.now() + QUIESCENCE_TIMEOUT_MS;
    while (!this.isIdle()) {
      if (Date.now() > deadline) {
        throw new CryptoStoreError('write-failed', `The crypto store in ${this.dir} stayed busy for ${QUIESCENCE_TIMEOUT_MS / 1000} s; no snapshot was written.`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private shutDown(options: { removeFiles?: boolean } = {}): void {
    this.closed = true;
    clearTimeout(this.heldTimer);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.host.release(this);
    this.files.close();
    try {
      if (options.removeFiles === true) JournalFiles.removeFiles(this.dir);
    } finally {
      this.lock.release();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CryptoStoreError('misuse', `The crypto store in ${this.dir} is closed.`);
  }
}

/** Databases `${prefix}::…` belong to the store of `prefix`; the separator keeps "acct1" from owning "acct10::…". */
function ownsName(databasePrefix: string, databaseName: string): boolean {
  return databaseName.startsWith(`${databasePrefix}::`);
}

function keyGeneratorsOf(database: RawDatabase, changes: RecordChange[]): [string, number][] {
  const result: [string, number][] = [];
  for (const name of new Set(changes.map((change) => change.store))) {
    const generator = database.rawObjectStores.get(name)?.keyGenerator;
    if (generator) result.push([name, generator.num]);
  }
  return result;
}

/** A commit of the Rust crypto that writes only Olm sessions (and devices): it may wait for the next. */
function isHoldable(databaseName: string, changes: readonly RecordChange[]): boolean {
  return databaseName.endsWith(CRYPTO_DATABASE_SUFFIX) && changes.some((c) => c.store === 'session') && changes.every((c) => HOLDABLE_STORES.has(c.store));
}
