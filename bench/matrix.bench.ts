/**
 * Matrix: how long a message bob sends takes to show in alice's Groundswell inbox over loopback,
 * what the first sync of 200 rooms × 50 messages costs in time and memory, and how quickly a
 * restarted hub is back online from its saved sync state. The homeserver is the in-process one the
 * tests use; alice is a real Hub on a temporary profile, bob talks raw HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InboxItem } from '../src-shared/domain.ts';
import { matrixKind } from '../src-main/connectors/matrix/kind.ts';
import { INITIAL_SYNC_LIMIT } from '../src-main/connectors/matrix/matrix-connector.ts';
import { Hub } from '../src-main/hub/hub.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../tests/support/homeserver/index.ts';
import { memorySecrets } from '../tests/support/memory-secrets.ts';
import { percentile, report } from './report.ts';

const BENCH = 'matrix';
const MESSAGES = 200;
const ROOMS = 200;
const MESSAGES_PER_ROOM = 50;
const IN_FLIGHT = 20;
/** Homeserver default when a filter names no limit (tests/support/homeserver/sync.ts). */
const HOMESERVER_TIMELINE_LIMIT = 10;
const ALICE_PASSWORD = 'alice-bench-Zq81';
const BOB_PASSWORD = 'bob-bench-pass';
const MiB = 1024 * 1024;

const ARRIVAL_TIMEOUT_MS = 15_000;
const INITIAL_SYNC_TIMEOUT_MS = 90_000;
const ONLINE_TIMEOUT_MS = 30_000;

function settle(): NodeJS.MemoryUsage {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with the time `check` first held: checked now, after every `inbox.changed`, and every
 * `everyMs` besides, so a missed event cannot hang the bench. Rejects after `timeoutMs`, saying
 * what was last seen.
 */
function whenInbox<T>(hub: Hub, what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<{ at: number; value: T }> {
  return new Promise((resolve, reject) => {
    let done = false;
    let checking = false;
    let again = false;
    let lastError: unknown;
    const finish = (outcome: () => void) => {
      done = true;
      off();
      clearInterval(poll);
      clearTimeout(deadline);
      outcome();
    };
    const run = async () => {
      if (done) return;
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const value = await check();
          if (value !== undefined && !done) {
            const at = performance.now();
            finish(() => resolve({ at, value }));
            return;
          }
        } while (again && !done);
      } catch (error) {
        lastError = error;
      } finally {
        checking = false;
      }
    };
    const off = hub.on((name) => {
      if (name === 'inbox.changed') void run();
    });
    const poll = setInterval(() => void run(), everyMs);
    const deadline = setTimeout(() => {
      finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`)));
    }, timeoutMs);
    void run();
  });
}

async function chats(hub: Hub, limit: number): Promise<InboxItem[]> {
  const listed = await hub.call('inbox.list', { source: 'chat', limit });
  if (!listed.ok) throw new Error(`inbox.list failed: ${listed.error.message}`);
  return listed.value.items;
}

async function signIn(hub: Hub, hs: Homeserver): Promise<string> {
  const added = await hub.call('accounts.add', { kind: 'matrix', input: { userId: `@alice:${hs.serverName}`, password: ALICE_PASSWORD } });
  if (!added.ok) throw new Error(`accounts.add failed: ${added.error.message}`);
  return added.value.account.id;
}

/** Runs `task(0 … count-1)` with at most `limit` under way at once. */
async function bounded(count: number, limit: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function world(): Promise<{ hs: Homeserver; bob: RawClient; alice: RawClient }> {
  const hs = await startHomeserver({ serverName: 'address' });
  try {
    await hs.registerUser('alice', ALICE_PASSWORD);
    const bobSession = await hs.registerUser('bob', BOB_PASSWORD);
    const aliceSession = await hs.login('alice', ALICE_PASSWORD);
    return { hs, bob: createRawClient(hs.baseUrl, bobSession.accessToken), alice: createRawClient(hs.baseUrl, aliceSession.accessToken) };
  } catch (error) {
    await hs.stop();
    throw error;
  }
}

/** Resolves at the first `account.status` for the account saying online from now on. */
function whenOnline(hub: Hub, accountId: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let last = 'none';
    const off = hub.on((name, payload) => {
      if (name !== 'account.status') return;
      const status = payload as { accountId: string; connection: { state: string } };
      if (status.accountId !== accountId) return;
      last = status.connection.state;
      if (last === 'online') {
        const at = performance.now();
        off();
        clearTimeout(deadline);
        resolve(at);
      }
    });
    const deadline = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the account to be online again (last status: ${last})`));
    }, timeoutMs);
  });
}

// 1. The first sync of many rooms, the memory it leaves, and the restart from the saved state.
// First, so the latency run's garbage does not sit in the RSS measured here.
{
  const { hs, bob, alice } = await world();
  const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-matrix-sync-'));
  try {
    const setupStarted = performance.now();
    const roomIds: string[] = [];
    await bounded(ROOMS, IN_FLIGHT, async (r) => {
      const roomId = await bob.createRoom({ preset: 'public_chat', name: `Bench room ${r}` });
      await alice.join(roomId);
      roomIds[r] = roomId;
    });
    const lastBody = new Map<string, string>();
    await bounded(ROOMS * MESSAGES_PER_ROOM, IN_FLIGHT, async (n) => {
      // Room by room, so a room's messages go out in order and its last one is the newest.
      const r = Math.floor(n / MESSAGES_PER_ROOM);
      const m = n % MESSAGES_PER_ROOM;
      const roomId = roomIds[r] as string;
      const body = `room ${r} message ${m}`;
      if (m === MESSAGES_PER_ROOM - 1) {
        // The newest goes out only once the room's others are in, so it is last on the stream.
        while (hs.state.rooms.get(roomId)?.events.filter((e) => e.event.type === 'm.room.message').length !== MESSAGES_PER_ROOM - 1) await sleep(5);
        lastBody.set(roomId, body);
      }
      await bob.sendText(roomId, body);
    });
    process.stderr.write(`  ${ROOMS} rooms × ${MESSAGES_PER_ROOM} messages set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s\n`);

    const secrets = memorySecrets();
    const before = settle();
    let hub = Hub.open({ profileDir, secrets, kinds: [matrixKind] });
    try {
      const signInStarted = performance.now();
      const accountId = await signIn(hub, hs);
      const signInMs = performance.now() - signInStarted;

      let seen = 0;
      let matching = 0;
      const started = performance.now();
      hub.startConnectors();
      const { at: allStoredAt } = await whenInbox(
        hub,
        `all ${ROOMS} rooms with their latest message`,
        async () => {
          const items = await chats(hub, 500);
          seen = items.length;
          matching = items.filter((i) => i.origin.kind === 'chat' && lastBody.get(i.origin.roomId) === i.snippet).length;
          return matching === ROOMS ? items : undefined;
        },
        INITIAL_SYNC_TIMEOUT_MS,
        250,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; the inbox had ${seen} chat rows, ${matching} of them showing their room's latest message`);
      });
      // accounts.add starts the account's connector itself, so the first sync runs during the sign-in:
      // it is measured from the sign-in's start (the login is a few milliseconds of it).
      const syncSeconds = (allStoredAt - Math.min(started, signInStarted)) / 1000;
      // Give the connector's follow-up sync a moment, then weigh what the hub holds.
      await sleep(500);
      const after = settle();

      // The reference: the same initial /sync (same timeline limit) fetched and JSON-parsed by a bare client.
      const bare: number[] = [];
      for (let i = 0; i < 3; i++) {
        const fetchStarted = performance.now();
        const url = new URL('/_matrix/client/v3/sync', hs.baseUrl);
        url.searchParams.set('filter', JSON.stringify({ room: { timeline: { limit: INITIAL_SYNC_LIMIT } } }));
        const response = await fetch(url, { headers: { authorization: `Bearer ${alice.accessToken}` } });
        const body = JSON.parse(await response.text()) as { rooms?: { join?: Record<string, unknown> } };
        if (Object.keys(body.rooms?.join ?? {}).length < ROOMS) throw new Error('the bare /sync did not list every room');
        bare.push(performance.now() - fetchStarted);
      }
      const bareSeconds = percentile(bare.sort((a, b) => a - b), 50) / 1000;
      report({ bench: BENCH, metric: `reference: the same initial /sync fetched and JSON-parsed by a bare client (median of 3)`, value: bareSeconds, unit: 's' });
      report({ bench: BENCH, metric: `initial sync ÷ bare /sync`, value: syncSeconds / bareSeconds, unit: '×', floor: '≤ 1.5×', pass: syncSeconds / bareSeconds <= 1.5 });
      const limits = `timeline limit ${INITIAL_SYNC_LIMIT} (client initialSyncLimit; server default ${HOMESERVER_TIMELINE_LIMIT})`;
      report({ bench: BENCH, metric: `sign in (accounts.add matrix: well-known + login)`, value: signInMs, unit: 'ms' });
      report({ bench: BENCH, metric: `sign-in and initial sync of ${ROOMS} rooms × ${MESSAGES_PER_ROOM} messages to all rows stored, ${limits}`, value: syncSeconds, unit: 's' });
      report({ bench: BENCH, metric: `  rooms stored with their latest message`, value: matching, unit: 'rooms' });
      report({ bench: BENCH, metric: `hub heap after the initial sync of ${ROOMS} rooms (growth)`, value: (after.heapUsed - before.heapUsed) / MiB, unit: 'MiB' });
      report({ bench: BENCH, metric: `process RSS after the initial sync of ${ROOMS} rooms`, value: after.rss / MiB, unit: 'MiB' });
      report({ bench: BENCH, metric: `  RSS before Hub.open (in-process homeserver holding the ${(ROOMS * MESSAGES_PER_ROOM).toLocaleString('en-US')} messages)`, value: before.rss / MiB, unit: 'MiB' });
      report({ bench: BENCH, metric: `  RSS growth from the process with the homeserver populated`, value: (after.rss - before.rss) / MiB, unit: 'MiB' });

      // Restart on the same profile: the saved sync token means an incremental /sync, not a full one.
      const disposeStarted = performance.now();
      await hub.dispose();
      const disposeMs = performance.now() - disposeStarted;
      const syncsBefore = hs.requests.length;
      const restartStarted = performance.now();
      hub = Hub.open({ profileDir, secrets, kinds: [matrixKind] });
      const online = whenOnline(hub, accountId, ONLINE_TIMEOUT_MS);
      hub.startConnectors();
      const onlineAt = await online;
      const restartMs = onlineAt - restartStarted;
      const firstSync = hs.requests.slice(syncsBefore).find((r) => r.path.startsWith('/_matrix/client/v3/sync'));
      if (!firstSync) throw new Error('the restarted hub was online without a /sync request');
      const resumed = new URL(firstSync.path, hs.baseUrl).searchParams.has('since');
      if (!resumed) throw new Error(`the restarted hub synced from scratch (${firstSync.path}): the saved sync state was not used`);
      const afterRestart = await chats(hub, 500);
      if (afterRestart.length !== ROOMS) throw new Error(`after the restart the inbox had ${afterRestart.length} chat rows`);

      report({ bench: BENCH, metric: `hub.dispose with ${ROOMS} rooms (saves the sync state)`, value: disposeMs, unit: 'ms' });
      report({ bench: BENCH, metric: `restart: Hub.open + startConnectors to account online (resumed with since=)`, value: restartMs, unit: 'ms' });
    } finally {
      await hub.dispose();
    }
  } finally {
    await hs.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

// 2. Bob's message to alice's inbox, one at a time, with her hub live.
{
  const { hs, bob, alice } = await world();
  const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-matrix-live-'));
  try {
    const roomId = await bob.createRoom({ preset: 'public_chat', name: 'Latency' });
    await alice.join(roomId);
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds: [matrixKind] });
    try {
      const accountId = await signIn(hub, hs);
      const online = whenOnline(hub, accountId, ONLINE_TIMEOUT_MS);
      hub.startConnectors();
      await online;
      const roomRow = async (body: string) => (await chats(hub, 50)).find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId && i.snippet === body);

      const latencies: number[] = [];
      // A few first, unmeasured: module warm-up and the connector's first follow-up sync.
      const WARM_UP = 5;
      for (let i = -WARM_UP; i < MESSAGES; i++) {
        await sleep(10);
        const body = `latency ${i} ${Date.now()}`;
        const arrived = whenInbox(hub, `message ${i} in alice's inbox`, () => roomRow(body), ARRIVAL_TIMEOUT_MS);
        await bob.sendText(roomId, body);
        const sent = performance.now();
        const { at } = await arrived;
        if (i >= 0) latencies.push(Math.max(0, at - sent));
      }
      latencies.sort((a, b) => a - b);
      // Includes the hub's 30 ms coalescing of changes (CHANGE_FLUSH_MS), as any client of the hub sees it.
      const what = `bob's message → in alice's inbox (PUT returned → inbox.changed + inbox.list shows it; incl. 30 ms coalescing), ${MESSAGES} messages, loopback`;
      report({ bench: BENCH, metric: `${what}, p50`, value: percentile(latencies, 50), unit: 'ms' });
      report({ bench: BENCH, metric: `  same, p95`, value: percentile(latencies, 95), unit: 'ms' });
      report({ bench: BENCH, metric: `  same, worst`, value: latencies.at(-1) ?? Number.NaN, unit: 'ms' });
    } finally {
      await hub.dispose();
    }
  } finally {
    await hs.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

// matrix-js-sdk arms a timer per request that it never clears (timeoutSignal in
// lib/http-api/utils.js; for /sync 30 s poll + 80 s buffer), so after everything above has been
// stopped the process would still linger for up to 110 s. Nothing is left to wait for.
process.exit();
