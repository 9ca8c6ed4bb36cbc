/**
 * The process the crash tests SIGKILL (tests/integration/crypto-store.test.ts). It prints a line only
 * after the durable store has told it a commit completed, so every printed line is a promise the
 * store must keep after the kill.
 *
 *   node tests/support/crypto-store-child.ts records DIR
 *     READY <last n>, then forever: one transaction puts item n (and deletes item n-3 when n % 5 == 0)
 *     and sets meta.last = n; `ACK n` once it completed.
 *   node tests/support/crypto-store-child.ts sdk DIR BASE_URL USER_ID DEVICE_ID ACCESS_TOKEN STORAGE_KEY_HEX
 *     initialises matrix-js-sdk's Rust crypto over the durable store and prints `KEYS <json>`.
 */
import { randomBytes } from 'node:crypto';
import { openDurableIndexedDb } from '../../src-main/connectors/matrix/crypto-store/durable-indexeddb.ts';
import { inTransaction, openTestDatabase, requestResult } from './idb-promises.ts';

const RECORDS_PREFIX = 'crash';
const SDK_PREFIX = 'gs-crash-account';

const [mode, dir, ...rest] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: crypto-store-child.ts records|sdk DIR ...');

if (mode === 'records') await writeRecords(dir);
else if (mode === 'sdk') await startCrypto(dir, rest);
else throw new Error(`unknown mode ${mode}`);

async function writeRecords(storeDir: string): Promise<void> {
  // A small threshold, so that kills also land during and between snapshots.
  const store = await openDurableIndexedDb(storeDir, { databasePrefix: RECORDS_PREFIX, snapshotAfterBytes: 32 * 1024 });
  store.install();
  const db = await openTestDatabase(`${RECORDS_PREFIX}::data`, 1, (database) => {
    database.createObjectStore('items', { keyPath: 'id' }).createIndex('byGroup', 'group');
    database.createObjectStore('meta', { keyPath: 'id' });
  });
  const last = await inTransaction(db, ['meta'], 'readonly', (t) => requestResult(t.objectStore('meta').get('last')));
  let n = ((await last) as { n: number } | undefined)?.n ?? 0;
  process.stdout.write(`READY ${n}\n`);
  for (;;) {
    n += 1;
    const id = n;
    await inTransaction(db, ['items', 'meta'], 'readwrite', (t) => {
      t.objectStore('items').put({ id, group: id % 7, payload: new Uint8Array(randomBytes(400)), at: new Date() });
      if (id % 5 === 0) t.objectStore('items').delete(id - 3);
      t.objectStore('meta').put({ id: 'last', n: id });
    });
    // Pipes are written synchronously on Linux: the parent has this line before the next commit starts.
    process.stdout.write(`ACK ${id}\n`);
  }
}

async function startCrypto(storeDir: string, [baseUrl, userId, deviceId, accessToken, storageKeyHex]: string[]): Promise<void> {
  if (storageKeyHex === undefined) throw new Error('sdk mode needs BASE_URL USER_ID DEVICE_ID ACCESS_TOKEN STORAGE_KEY_HEX');
  const store = await openDurableIndexedDb(storeDir, { databasePrefix: SDK_PREFIX });
  store.install();
  // Loaded only in this mode: the records mode should start as fast as a bare store does.
  const { createClient } = await import('matrix-js-sdk');
  const client = createClient({ baseUrl: baseUrl!, userId: userId!, deviceId: deviceId!, accessToken: accessToken! });
  const started = performance.now();
  await client.initRustCrypto(store.rustCryptoOptions(Buffer.from(storageKeyHex, 'hex')));
  const keys = await client.getCrypto()!.getOwnDeviceKeys();
  const loaded = store.loaded;
  process.stdout.write(
    `KEYS ${JSON.stringify({ ...keys, initMs: Math.round(performance.now() - started), loadMs: Math.round(loaded.loadMs), replayedCommits: loaded.replayedCommits })}\n`,
  );
  // Stays up until the parent kills it, as a running hub would.
  setInterval(() => {}, 60_000);
}
