/**
 * The durable crypto store against SIGKILL: a child process commits and acknowledges, the test kills
 * it at random points, and every acknowledged commit must be there afterwards. Then the same for
 * matrix-js-sdk's Rust crypto: the device keeps its identity keys across a kill.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDurableIndexedDb } from '../../src-main/connectors/matrix/crypto-store/durable-indexeddb.ts';
import { inTransaction, openTestDatabase, requestResult } from '../support/idb-promises.ts';
import { startHomeserver } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import type { TempProfile } from '../support/profile.ts';

const CHILD = 'tests/support/crypto-store-child.ts';
const RECORDS_PREFIX = 'crash';

const temporaryDirs: TempProfile[] = [];
afterAll(() => temporaryDirs.forEach((dir) => dir.remove()));
function tempDir(): string {
  const dir = tempProfile('gs-crypto-crash-');
  temporaryDirs.push(dir);
  return dir.dir;
}

interface RunningChild {
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
  /** Resolves with the first line that starts with `prefix`. */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

function startChild(args: string[]): RunningChild {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    waiters.splice(0).forEach((wake) => wake());
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => waiters.splice(0).forEach((wake) => wake()));
  return {
    child,
    lines,
    exited,
    line: async (prefix, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found !== undefined) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`child exited before "${prefix}":\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`child printed no "${prefix}" in time:\n${stderr}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** What the store holds, read from a copy of the files so the next child replays the real ones. */
async function readRecords(dir: string): Promise<{ last: number; ids: number[]; indexed: number }> {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  const store = await openDurableIndexedDb(copy, { databasePrefix: RECORDS_PREFIX, snapshotIntervalMs: 0 });
  store.install();
  try {
    const db = await openTestDatabase(`${RECORDS_PREFIX}::data`, 1, (database) => {
      database.createObjectStore('items', { keyPath: 'id' }).createIndex('byGroup', 'group');
      database.createObjectStore('meta', { keyPath: 'id' });
    });
    const reads = await inTransaction(db, ['items', 'meta'], 'readonly', (t) => ({
      last: requestResult(t.objectStore('meta').get('last')),
      ids: requestResult(t.objectStore('items').getAllKeys()),
      indexed: Promise.all(Array.from({ length: 7 }, (_, group) => requestResult(t.objectStore('items').index('byGroup').count(group)))),
    }));
    const result = {
      last: ((await reads.last) as { n: number } | undefined)?.n ?? 0,
      ids: (await reads.ids) as number[],
      indexed: (await reads.indexed).reduce((sum, count) => sum + count, 0),
    };
    db.close();
    return result;
  } finally {
    await store.close();
  }
}

/** The ids a store that committed 1..last must hold: the child deletes n-3 with every n % 5 == 0. */
function expectedIds(last: number): number[] {
  const deleted = new Set<number>();
  for (let n = 5; n <= last; n += 5) deleted.add(n - 3);
  return Array.from({ length: last }, (_, i) => i + 1).filter((id) => !deleted.has(id));
}

describe('crypto store under SIGKILL', () => {
  it('keeps every acknowledged commit through 10 random kills', async () => {
    const dir = tempDir();
    let acknowledged = 0;
    for (let round = 0; round < 10; round += 1) {
      const running = startChild(['records', dir]);
      const ready = Number((await running.line('READY ')).slice('READY '.length));
      // Where the last run's acknowledged commits left off, or one further (committed, not yet printed).
      expect(ready === acknowledged || ready === acknowledged + 1).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 400));
      await running.kill();
      const acks = running.lines.filter((l) => l.startsWith('ACK ')).map((l) => Number(l.slice(4)));
      if (acks.length > 0) acknowledged = acks.at(-1)!;

      const state = await readRecords(dir);
      expect(state.last === acknowledged || state.last === acknowledged + 1).toBe(true);
      expect(state.ids).toEqual(expectedIds(state.last));
      expect(state.indexed).toBe(state.ids.length);
      acknowledged = state.last;
    }
    // The kills landed while it was writing, not before it started.
    expect(acknowledged).toBeGreaterThan(100);
    console.info(`crypto store: ${acknowledged} commits acknowledged and kept across 10 SIGKILLs`);
  });
});

describe('matrix-js-sdk Rust crypto over the durable store', () => {
  it('is the same device, with the same identity keys, after a SIGKILL', async () => {
    const hs = await startHomeserver();
    try {
      const user = await hs.registerUser('crashy', 'crashy-pass');
      const dir = tempDir();
      const storageKey = randomBytes(32).toString('hex');
      const args = ['sdk', dir, hs.baseUrl, user.userId, user.deviceId, user.accessToken, storageKey];
      const keysOf = (line: string) =>
        JSON.parse(line.slice('KEYS '.length)) as { ed25519: string; curve25519: string; initMs: number; replayedCommits: number };

      const first = startChild(args);
      const firstKeys = keysOf(await first.line('KEYS '));
      await first.kill();
      expect(firstKeys.replayedCommits).toBe(0);

      // Killed somewhere in the middle of its start, reading and perhaps writing the store.
      const interrupted = startChild(args);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
      await interrupted.kill();

      const third = startChild(args);
      const thirdKeys = keysOf(await third.line('KEYS '));
      await third.kill();
      // The keys came back from the journal the first run left behind, not from chance.
      expect(thirdKeys.replayedCommits).toBeGreaterThan(0);
      expect({ ed25519: thirdKeys.ed25519, curve25519: thirdKeys.curve25519 }).toEqual({
        ed25519: firstKeys.ed25519,
        curve25519: firstKeys.curve25519,
      });
      console.info(`crypto store: first initRustCrypto ${firstKeys.initMs} ms, after restart ${thirdKeys.initMs} ms`);
    } finally {
      await hs.stop();
    }
  });
});
