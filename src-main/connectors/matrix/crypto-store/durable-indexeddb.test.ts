import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CryptoStoreError } from './crypto-store-error.ts';
import { openDurableIndexedDb } from './durable-indexeddb.ts';
import type { DurableIndexedDb, DurableIndexedDbOptions } from './durable-indexeddb.ts';
import { decodeFrames } from './frames.ts';
import { deleteTestDatabase, globalKeyRange, inTransaction, openTestDatabase, requestResult } from '../../../../tests/support/idb-promises.ts';
import type { TestDatabase } from '../../../../tests/support/idb-promises.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gs-crypto-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let prefixCount = 0;
function freshPrefix(): string {
  prefixCount += 1;
  return `unit${prefixCount}`;
}

async function open(dir: string, options: DurableIndexedDbOptions): Promise<DurableIndexedDb> {
  const store = await openDurableIndexedDb(dir, { snapshotIntervalMs: 0, ...options });
  store.install();
  cleanups.push(() => store.close());
  return store;
}

/**
 * What a SIGKILL would leave: the files as they are right now, in another directory. Every commit
 * has been fdatasync'd by the time its `complete` fired, so a copy taken after it must hold it.
 */
function crashCopy(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** A store with two object stores, an autoIncrement one and indexes of every kind. */
async function openSchema(prefix: string): Promise<TestDatabase> {
  return openTestDatabase(`${prefix}::data`, 1, (db) => {
    const people = db.createObjectStore('people', { keyPath: 'id' });
    people.createIndex('byName', 'name', { unique: true });
    people.createIndex('byTag', 'tags', { multiEntry: true });
    people.createIndex('byTeamAndAge', ['team', 'age']);
    db.createObjectStore('events', { autoIncrement: true });
  });
}

interface Person {
  id: number;
  name: string;
  tags: string[];
  team: string;
  age: number;
  key: Uint8Array;
  seen: Date;
  extra: Map<string, number>;
}

function person(id: number): Person {
  return {
    id,
    name: `person-${id}`,
    tags: id % 2 === 0 ? ['even', 'all'] : ['odd', 'all'],
    team: id % 3 === 0 ? 'red' : 'blue',
    age: 20 + id,
    key: new Uint8Array([id, id + 1, id + 2]),
    seen: new Date(1_700_000_000_000 + id),
    extra: new Map([['id', id]]),
  };
}

async function putPeople(db: TestDatabase, ids: number[]): Promise<void> {
  await inTransaction(db, ['people'], 'readwrite', (t) => ids.forEach((id) => t.objectStore('people').put(person(id))));
}

async function readAll(db: TestDatabase) {
  return inTransaction(db, ['people', 'events'], 'readonly', (t) => {
    const people = t.objectStore('people');
    const events = t.objectStore('events');
    const result = {
      people: requestResult(people.getAll()),
      even: requestResult(people.index('byTag').getAll('even')),
      byName: requestResult(people.index('byName').getAll('person-4')),
      redAdults: requestResult(people.index('byTeamAndAge').count(globalKeyRange().bound(['red', 0], ['red', 100]))),
      eventKeys: requestResult(events.getAllKeys()),
      events: requestResult(events.getAll()),
    };
    return result;
  }).then(async (r) => ({
    people: await r.people,
    even: await r.even,
    byName: await r.byName,
    redAdults: await r.redAdults,
    eventKeys: await r.eventKeys,
    events: await r.events,
  }));
}

describe('durable IndexedDB', () => {
  it('brings back schema, records, indexes and key generators from snapshot + journal', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1, 2, 3, 4, 5, 6]);
    await inTransaction(db, ['events'], 'readwrite', (t) => {
      for (const text of ['a', 'b', 'c']) t.objectStore('events').add({ text });
    });
    await store.snapshot();
    // After the snapshot: changes only the journal holds, including a delete, a range delete and a
    // delete of the largest generated key (the key generator must not reuse it).
    await putPeople(db, [7, 8]);
    await inTransaction(db, ['people'], 'readwrite', (t) => {
      t.objectStore('people').delete(1);
      t.objectStore('people').delete(globalKeyRange().bound(5, 6));
      t.objectStore('people').put({ ...person(2), name: 'renamed-2', tags: ['even'] });
    });
    await inTransaction(db, ['events'], 'readwrite', (t) => t.objectStore('events').delete(3));
    const before = await readAll(db);

    const copy = crashCopy(dir);
    db.close();
    await store.close();

    const reopened = await open(copy, { databasePrefix: prefix });
    expect(reopened.loaded.replayedCommits).toBe(3);
    const db2 = await openSchema(prefix);
    const after = await readAll(db2);
    expect(after).toEqual(before);
    expect(after.people.map((p) => (p as Person).id)).toEqual([2, 3, 4, 7, 8]);
    expect(after.byName).toHaveLength(1);
    expect((after.people[0] as Person).extra).toEqual(new Map([['id', 2]]));
    expect((after.people[0] as Person).key).toEqual(new Uint8Array([2, 3, 4]));
    const next = await inTransaction(db2, ['events'], 'readwrite', (t) => requestResult(t.objectStore('events').add({ text: 'd' })));
    expect(await next).toBe(4);
    db2.close();
  });

  it('journals a commit of Olm sessions alone only together with the next commit, or a second later', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    // The Rust crypto's own database name and store names.
    const db = await openTestDatabase(`${prefix}::matrix-sdk-crypto`, 1, (database) => {
      database.createObjectStore('session');
      database.createObjectStore('devices');
      database.createObjectStore('inbound_group_sessions3');
    });
    const put = (stores: string[], value: string) =>
      inTransaction(db, stores, 'readwrite', (t) => {
        for (const name of stores) t.objectStore(name).put(value, `${name}-key`);
      });
    const readBack = async (copy: string) => {
      const reopened = await openDurableIndexedDb(copy, { databasePrefix: prefix, snapshotIntervalMs: 0 });
      const db2 = await openTestDatabase(`${prefix}::matrix-sdk-crypto`, 1);
      const values = await inTransaction(db2, ['session', 'inbound_group_sessions3'], 'readonly', (t) => [
        requestResult(t.objectStore('session').get('session-key')),
        requestResult(t.objectStore('inbound_group_sessions3').get('inbound_group_sessions3-key')),
      ]);
      const result = await Promise.all(values);
      db2.close();
      await reopened.close();
      return result;
    };

    // The new Olm session of a to-device message: in memory, not yet on disk.
    await put(['session', 'devices'], 'session-1');
    const crashedBetween = crashCopy(dir);
    // The room key it carried, with the session's next state: both reach the disk, in order.
    await put(['inbound_group_sessions3', 'session'], 'room-key-1');
    const crashedAfter = crashCopy(dir);
    // A session alone again, and no commit after it: it is written on its own a second later.
    await put(['session'], 'session-2');
    const crashedSoon = crashCopy(dir);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const crashedLater = crashCopy(dir);
    db.close();
    await store.close();

    expect(await readBack(crashedBetween)).toEqual([undefined, undefined]);
    expect(await readBack(crashedAfter)).toEqual(['room-key-1', 'room-key-1']);
    expect(await readBack(crashedSoon)).toEqual(['room-key-1', 'room-key-1']);
    expect(await readBack(crashedLater)).toEqual(['session-2', 'room-key-1']);
  });

  it('replays schema changes of a later upgrade, and deleted databases stay deleted', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1, 2, 3]);
    db.close();
    const upgraded = await openTestDatabase(`${prefix}::data`, 2, (database, transaction) => {
      database.deleteObjectStore('events');
      const people = transaction.objectStore('people');
      people.deleteIndex('byTag');
      people.createIndex('byAge', 'age', { unique: true });
      database.createObjectStore('notes', { keyPath: ['a', 'b'] });
    });
    const doomed = await openTestDatabase(`${prefix}::doomed`, 1, (database) => database.createObjectStore('x'));
    doomed.close();
    await deleteTestDatabase(`${prefix}::doomed`);
    const copy = crashCopy(dir);
    upgraded.close();
    await store.close();

    await open(copy, { databasePrefix: prefix });
    const db2 = await openTestDatabase(`${prefix}::data`, 2);
    expect(db2.version).toBe(2);
    expect(db2.objectStoreNames.contains('events')).toBe(false);
    expect(db2.objectStoreNames.contains('notes')).toBe(true);
    const [ages, hasByTag] = await inTransaction(db2, ['people'], 'readonly', (t) => {
      const people = t.objectStore('people');
      return [requestResult(people.index('byAge').getAll()), people.indexNames.contains('byTag')] as const;
    });
    expect((await ages).map((p) => (p as Person).age)).toEqual([21, 22, 23]);
    expect(hasByTag).toBe(false);
    db2.close();
    // A fresh open at version 1 of the deleted database must run an upgrade, i.e. start empty.
    let upgradedFrom: number | undefined;
    const doomedAgain = await openTestDatabase(`${prefix}::doomed`, 1, (_db, _t, oldVersion) => (upgradedFrom = oldVersion));
    expect(upgradedFrom).toBe(0);
    doomedAgain.close();
  });

  it('keeps an aborted transaction out of the journal', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1]);
    await expect(
      inTransaction(db, ['people'], 'readwrite', (t) => {
        t.objectStore('people').put(person(2));
        t.objectStore('people').put(person(3));
        // A unique-index violation: the request fails and, not prevented, aborts the transaction.
        t.objectStore('people').put({ ...person(4), name: 'person-1' });
      }),
    ).rejects.toBeDefined();
    const copy = crashCopy(dir);
    db.close();
    await store.close();
    await open(copy, { databasePrefix: prefix });
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people.map((p) => (p as Person).id)).toEqual([1]);
    db2.close();
  });

  it('drops a torn journal tail whole and truncates the file there', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1, 2]);
    await putPeople(db, [3]);
    const copy = crashCopy(dir);
    db.close();
    await store.close();
    const journal = join(copy, 'journal');
    const frames = decodeFrames(readFileSync(journal));
    const lastFrameStart = frames.validBytes - (frames.payloads.at(-1)!.length + 8);
    // Half of the last commit's frame made it to disk: that commit was never acknowledged.
    const torn = readFileSync(journal).subarray(0, lastFrameStart + 20);
    writeFileSync(journal, torn);

    const reopened = await open(copy, { databasePrefix: prefix });
    expect(reopened.loaded.droppedTailBytes).toBe(20);
    expect(statSync(journal).size).toBe(lastFrameStart);
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people.map((p) => (p as Person).id)).toEqual([1, 2]);
    // New commits land after the cut and are read back.
    await putPeople(db2, [9]);
    const second = crashCopy(copy);
    db2.close();
    await reopened.close();
    await open(second, { databasePrefix: prefix });
    const db3 = await openSchema(prefix);
    expect((await readAll(db3)).people.map((p) => (p as Person).id)).toEqual([1, 2, 9]);
    db3.close();
  });

  it('stops replay at a frame whose checksum does not match', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1]);
    await putPeople(db, [2]);
    await putPeople(db, [3]);
    const copy = crashCopy(dir);
    db.close();
    await store.close();
    const journal = join(copy, 'journal');
    const bytes = readFileSync(journal);
    const frames = decodeFrames(bytes);
    const secondLastEnd = frames.validBytes - (frames.payloads.at(-1)!.length + 8);
    const secondLastStart = secondLastEnd - (frames.payloads.at(-2)!.length + 8);
    bytes[secondLastStart + 12]! ^= 0x55;
    writeFileSync(journal, bytes);

    const reopened = await open(copy, { databasePrefix: prefix });
    expect(reopened.loaded.droppedTailBytes).toBe(bytes.length - secondLastStart);
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people.map((p) => (p as Person).id)).toEqual([1]);
    db2.close();
  });

  it('snapshots on its own once the journal outgrows the threshold, losing nothing', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix, snapshotAfterBytes: 2_000 });
    const db = await openSchema(prefix);
    for (let id = 1; id <= 60; id += 1) await putPeople(db, [id]);
    expect(existsSync(join(dir, 'snapshot'))).toBe(true);
    expect(statSync(join(dir, 'journal')).size).toBeLessThan(Math.max(4_000, statSync(join(dir, 'snapshot')).size * 2));
    const copy = crashCopy(dir);
    db.close();
    await store.close();
    await open(copy, { databasePrefix: prefix });
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people).toHaveLength(60);
    db2.close();
  });

  it('drops a journal older than the snapshot (a crash between snapshot and journal reset)', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1, 2]);
    const oldJournal = readFileSync(join(dir, 'journal'));
    await store.snapshot();
    const copy = crashCopy(dir);
    db.close();
    await store.close();
    writeFileSync(join(copy, 'journal'), oldJournal);
    const reopened = await open(copy, { databasePrefix: prefix });
    expect(reopened.loaded.staleJournalDropped).toBe(true);
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people).toHaveLength(2);
    db2.close();
  });

  it('journals each account to its own directory, by database prefix', async () => {
    const [dirA, dirB] = [tempDir(), tempDir()];
    const [prefixA, prefixB] = [freshPrefix(), freshPrefix()];
    const storeA = await open(dirA, { databasePrefix: prefixA });
    const storeB = await open(dirB, { databasePrefix: prefixB });
    await expect(openDurableIndexedDb(tempDir(), { databasePrefix: `${prefixA}::x` })).rejects.toMatchObject({ code: 'misuse' });
    const dbA = await openSchema(prefixA);
    const dbB = await openSchema(prefixB);
    await putPeople(dbA, [1]);
    await putPeople(dbB, [2, 3]);
    const [copyA, copyB] = [crashCopy(dirA), crashCopy(dirB)];
    dbA.close();
    dbB.close();
    await storeA.close();
    await storeB.close();
    await open(copyB, { databasePrefix: prefixB });
    const dbB2 = await openSchema(prefixB);
    expect((await readAll(dbB2)).people.map((p) => (p as Person).id)).toEqual([2, 3]);
    dbB2.close();
    await open(copyA, { databasePrefix: prefixA });
    const dbA2 = await openSchema(prefixA);
    expect((await readAll(dbA2)).people.map((p) => (p as Person).id)).toEqual([1]);
    dbA2.close();
  });

  it('fails a write transaction that was still queued when its store closed', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await open(dir, { databasePrefix: prefix });
    const db = await openSchema(prefix);
    await putPeople(db, [1]);
    const late = putPeople(db, [2]);
    await store.close();
    await expect(late).rejects.toMatchObject({ name: 'InvalidStateError' });
    await open(dir, { databasePrefix: prefix });
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people.map((p) => (p as Person).id)).toEqual([1]);
    db2.close();
  });

  it('destroy deletes the files and the databases', async () => {
    const dir = tempDir();
    const prefix = freshPrefix();
    const store = await openDurableIndexedDb(dir, { databasePrefix: prefix, snapshotIntervalMs: 0 });
    store.install();
    const db = await openSchema(prefix);
    await putPeople(db, [1]);
    await store.destroy();
    for (const name of ['journal', 'snapshot', 'lock']) expect(existsSync(join(dir, name))).toBe(false);
    const again = await open(dir, { databasePrefix: prefix });
    expect(again.loaded.replayedCommits).toBe(0);
    const db2 = await openSchema(prefix);
    expect((await readAll(db2)).people).toHaveLength(0);
    db2.close();
  });

  it('wants a 32-byte storage key and hands initRustCrypto its prefix', async () => {
    const prefix = freshPrefix();
    const store = await open(tempDir(), { databasePrefix: prefix });
    expect(store.rustCryptoOptions(new Uint8Array(32))).toEqual({ useIndexedDB: true, cryptoDatabasePrefix: prefix, storageKey: new Uint8Array(32) });
    expect(() => store.rustCryptoOptions(new Uint8Array(16))).toThrow(CryptoStoreError);
  });
});

describe('crypto store lock', () => {
  it('refuses a second open while the store is open', async () => {
    const dir = tempDir();
    await open(dir, { databasePrefix: freshPrefix() });
    await expect(openDurableIndexedDb(dir, { databasePrefix: freshPrefix() })).rejects.toMatchObject({
      code: 'locked',
      message: expect.stringContaining('already open in this process'),
    });
  });

  it('refuses a store another running process holds', async () => {
    const dir = tempDir();
    // The parent of this test worker is alive for as long as the test runs.
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid }));
    await expect(openDurableIndexedDb(dir, { databasePrefix: freshPrefix() })).rejects.toMatchObject({
      code: 'locked',
      message: expect.stringContaining(`in use by process ${process.ppid}`),
    });
  });

  it('takes over the lock of a process that no longer runs', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: Number(dead.stdout) }));
    const store = await open(dir, { databasePrefix: freshPrefix() });
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock it cannot read (a crash while the holder wrote it)', async () => {
    const dir = tempDir();
    appendFileSync(join(dir, 'lock'), '');
    await open(dir, { databasePrefix: freshPrefix() });
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toMatchObject({ pid: process.pid });
  });
});
