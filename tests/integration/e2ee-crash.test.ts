/**
 * Alice's Groundswell in an encrypted room, SIGKILLed mid-session: her hub runs in a child process
 * (tests/support/matrix-hub-child.ts) on a real profile, bob is a plain matrix-js-sdk client with
 * Rust crypto in this process. After every kill the hub starts again on the same profile and must
 * still be the same device and read everything bob sent: before the kill, while it was down (on a
 * new megolm session whose key waited for it as a to-device message) and long before (paged in
 * through /messages).
 *
 * The stress test's kill points come from a seeded PRNG; the seed is in the test's name, and
 * GS_E2EE_CRASH_SEED=<seed> replays it. GS_KEEP_PROFILE=1 keeps the profiles (with
 * GROUNDSWELL_LOG_LEVEL=debug their logs/hub.log holds the SDK's and the Rust crypto's lines).
 */
import { spawn } from 'node:child_process';
import { isAccountOf } from '../../src-shared/domain.ts';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallName, CallParams, CallResult, ChatMessage, ChatTimeline, HubCalls } from '../../src-shared/api.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { INITIAL_SYNC_LIMIT } from '../../src-main/connectors/matrix/matrix-connector.ts';
import type { JsonObject } from '../support/homeserver/json.ts';
import { ALICE_PASSWORD, AliceHub, startMatrixWorld, type MatrixWorld } from '../support/matrix-world.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';
import { startSdkPeer, waitUntil, type SdkPeer } from '../support/sdk-peer.ts';

const CHILD = 'tests/support/matrix-hub-child.ts';
/** The SDK's sync accumulator keeps this many events per room in the saved sync state. */
const SAVED_TIMELINE_EVENTS = 50;

// ---- The hub in a child process ---------------------------------------------------------------

interface HubChild {
  readonly pid: number;
  readonly spawnedAt: number;
  /** When it was first online: its first sync with the server was processed. */
  onlineAt(): number | undefined;
  /** Resolves with the time READY came (its modules loaded, the hub open, the connectors starting). */
  ready(timeoutMs?: number): Promise<number>;
  /** A hub call; throws with the hub's error message when it fails. */
  call<C extends CallName>(name: C, params: CallParams<C>, timeoutMs?: number): Promise<HubCalls[C]['result']>;
  /** Resolves once an account.status event with this connection state came (at any time since the start). */
  status(state: string, timeoutMs?: number): Promise<void>;
  /** A clean quit: the hub saves its sync state and snapshots the crypto store, then the process exits. */
  dispose(): Promise<void>;
  /** SIGKILL by PID; resolves once the process is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<void>;
  stderr(): string;
}

const children = new Set<HubChild>();

function startHubChild(profileDir: string, keychainService: string): HubChild {
  const child: ChildProcess = spawn(process.execPath, [CHILD, profileDir, keychainService], { stdio: ['pipe', 'pipe', 'pipe'] });
  const spawnedAt = Date.now();
  const pending = new Map<string, { resolve: (line: string) => void; reject: (error: Error) => void }>();
  const statuses: string[] = [];
  const statusWaiters: (() => void)[] = [];
  let stdout = '';
  let stderr = '';
  let nextId = 1;
  let readyAt: number | undefined;
  let onlineAt: number | undefined;
  child.stdin!.on('error', () => undefined);
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('READY ')) {
        readyAt = Date.now();
        statusWaiters.splice(0).forEach((wake) => wake());
      } else if (line.startsWith('RESULT ')) {
        const space = line.indexOf(' ', 'RESULT '.length);
        const id = line.slice('RESULT '.length, space);
        pending.get(id)?.resolve(line.slice(space + 1));
        pending.delete(id);
      } else if (line.startsWith('EVENT ')) {
        const event = JSON.parse(line.slice('EVENT '.length)) as { name: string; payload: { connection?: { state: string } } };
        if (event.name === 'account.status' && event.payload.connection) {
          statuses.push(event.payload.connection.state);
          if (event.payload.connection.state === 'online') onlineAt ??= Date.now();
          statusWaiters.splice(0).forEach((wake) => wake());
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the hub child exited before answering:\n${stderr.slice(-4000)}`));
    pending.clear();
    statusWaiters.splice(0).forEach((wake) => wake());
  });
  const alive = () => child.exitCode === null && child.signalCode === null;

  const handle: HubChild = {
    pid: child.pid!,
    spawnedAt,
    onlineAt: () => onlineAt,
    exited,
    stderr: () => stderr,
    async call(name, params, timeoutMs = 30_000) {
      if (!alive()) throw new Error(`the hub child is not running:\n${stderr.slice(-4000)}`);
      const id = String(nextId++);
      const answer = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the hub child did not answer ${name} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (line) => (clearTimeout(timer), resolve(line)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
      });
      child.stdin!.write(`${id} ${name} ${JSON.stringify(params)}\n`);
      const result = JSON.parse(await answer) as CallResult<typeof name>;
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
      return result.value;
    },
    async ready(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (readyAt === undefined) {
        if (!alive()) throw new Error(`the hub child exited before it was ready:\n${stderr.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`the hub child was not ready within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          statusWaiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return readyAt;
    },
    async status(state, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!statuses.includes(state)) {
        if (!alive()) throw new Error(`the hub child exited before it was ${state}:\n${stderr.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`the hub child was not ${state} within ${timeoutMs} ms (states: ${statuses.join(', ')})`);
        await new Promise<void>((resolve) => {
          statusWaiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    async dispose() {
      child.stdin!.write(`${nextId++} dispose\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      children.delete(handle);
    },
    async kill() {
      if (alive()) process.kill(child.pid!, 'SIGKILL');
      await exited;
      children.delete(handle);
    },
  };
  children.add(handle);
  return handle;
}

// ---- What alice sees --------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDeadline<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventuallyIn<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function roomRow(hub: HubChild, roomId: string, check: (item: InboxItem) => boolean = () => true): Promise<InboxItem> {
  return eventuallyIn(`the room ${roomId} in alice's inbox`, async () => {
    const { items } = await hub.call('inbox.list', { source: 'chat', limit: 200 });
    return items.find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId && check(i));
  });
}

const decrypted = (timeline: ChatTimeline, body: string): ChatMessage | undefined =>
  timeline.messages.find((m) => m.kind === 'text' && m.body === body);

/** Polls the timeline (paging back while `older` and the server has more) until `body` shows decrypted. */
async function waitForDecrypted(hub: HubChild, itemId: string, body: string, options: { older?: boolean; timeoutMs?: number } = {}): Promise<{ timeline: ChatTimeline; pages: number }> {
  let pages = 0;
  let older = false;
  let last: ChatTimeline | undefined;
  const timeline = await eventuallyIn(
    `"${body}" decrypted in alice's timeline`,
    async () => {
      last = await hub.call('chat.timeline', { itemId, older });
      if (older) pages += 1;
      if (decrypted(last, body)) return last;
      older = options.older === true && last.hasOlder;
      return undefined;
    },
    options.timeoutMs ?? 30_000,
  ).catch((error: unknown) => {
    const undecryptable = last?.messages.filter((m) => m.kind === 'undecryptable').map((m) => `${m.id}: ${m.body}`) ?? [];
    throw new Error(`${String(error)}; undecryptable now: ${JSON.stringify(undecryptable)}`);
  });
  return { timeline, pages };
}

/** Alice's device keys as the server holds them (what bob's client encrypts to). */
function serverKeysOf(world: MatrixWorld): Map<string, JsonObject> {
  return new Map([...(world.hs.state.e2ee.deviceKeys.get(world.aliceId()) ?? new Map<string, JsonObject>())].map(([id, keys]) => [id, structuredClone(keys.keys as JsonObject)]));
}

/** How often alice's device list changed on the server: a new device, new device keys, new signatures. */
function deviceListChanges(world: MatrixWorld): number {
  return world.hs.state.e2ee.deviceListChanges.filter((change) => change.userId === world.aliceId()).length;
}

function keyUploads(world: MatrixWorld): { status: number | undefined; path: string }[] {
  return world.hs.requests.filter((r) => r.method === 'POST' && r.path.includes('/keys/upload')).map((r) => ({ status: r.status, path: r.path }));
}

/** Alice signs in (in the child, as in the app: the password also sets up cross-signing) and joins bob's encrypted room. */
async function signInAndJoin(world: MatrixWorld, bob: SdkPeer, hub: HubChild, roomName: string) {
  const view = await hub.call('accounts.add', { kind: 'matrix', input: { userId: world.aliceId(), password: ALICE_PASSWORD } });
  if (!isAccountOf(view.account, 'matrix') || !view.account.settings.deviceId) throw new Error('signing in gave no device');
  const accountId = view.account.id;
  const deviceId = view.account.settings.deviceId;
  await eventuallyIn('cross-signing set up at sign-in', async () => ((await hub.call('security.status', { accountId })).crossSigning === 'ready' ? true : undefined));
  const roomId = await bob.createEncryptedRoom([world.aliceId()], roomName);
  const invite = await roomRow(hub, roomId);
  await hub.call('chat.respondToInvite', { itemId: invite.id, accept: true });
  await waitUntil('alice joined, as bob sees it', () => bob.client.getRoom(roomId)?.getMember(world.aliceId())?.membership === 'join');
  const item = await roomRow(hub, roomId, (i) => i.origin.kind === 'chat' && i.origin.membership === undefined);
  return { accountId, deviceId, roomId, itemId: item.id };
}

/** A small, seedable PRNG (mulberry32), so a failing run's kill points can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- The tests --------------------------------------------------------------------------------

let world: MatrixWorld;
let bob: SdkPeer;
let profile: TempProfile;

beforeEach(async () => {
  world = await startMatrixWorld();
  bob = await startSdkPeer(world.hs, 'bob', 'bob-pass');
  profile = tempProfile('gs-e2ee-crash-');
});
afterEach(async () => {
  // Every child by its PID, whatever the test did: no hub outlives its test.
  await Promise.all([...children].map((child) => child.kill()));
  bob.stop();
  await world.stop();
  if (process.env['GS_KEEP_PROFILE']) console.info(`kept ${profile.dir}`);
  else profile.remove();
});

describe('an encrypted room when the hub is SIGKILLed', () => {
  it('is the same device after the restart and reads what came before, during and after the kill', async () => {
    const timings: Record<string, number> = {};
    const first = startHubChild(profile.dir, world.keychain.service);
    const { accountId, deviceId, roomId, itemId } = await signInAndJoin(world, bob, first, 'Crash room');
    const identity = await first.call('security.status', { accountId });
    const keysBefore = serverKeysOf(world);
    const devicesBefore = [...world.hs.state.users.get(world.aliceId())!.devices.keys()];
    const changesBefore = deviceListChanges(world);
    expect([...keysBefore.keys()]).toEqual([deviceId]);
    expect(identity.fingerprint).toBe(keysBefore.get(deviceId)![`ed25519:${deviceId}`]);

    // History: the oldest message, then more than the saved sync state and an initial sync hold.
    const oldest = 'the oldest secret, from before everything';
    await bob.sendText(roomId, oldest);
    await waitForDecrypted(first, itemId, oldest);
    const fillers = SAVED_TIMELINE_EVENTS + INITIAL_SYNC_LIMIT;
    for (let i = 0; i < fillers; i++) await bob.sendText(roomId, `filler ${i}`);
    await waitForDecrypted(first, itemId, `filler ${fillers - 1}`);
    // A clean quit first, as yesterday's: the profile has a saved sync state to resume from.
    await first.dispose();

    const second = startHubChild(profile.dir, world.keychain.service);
    await second.status('online');
    const beforeKill = 'read just before the kill';
    await bob.sendText(roomId, beforeKill);
    await waitForDecrypted(second, itemId, beforeKill);
    // Killed right after it decrypted, with the next message on its way: mid-sync.
    const inFlight = bob.sendText(roomId, 'sent as the hub died');
    await second.kill();
    await inFlight;
    const afterKillUploads = keyUploads(world).length;

    // While alice is down, bob starts a new megolm session: its key can only reach her as a
    // to-device message waiting on the server.
    const sessionsBefore = new Set(world.hs.state.rooms.get(roomId)!.events.map((s) => s.event.content['session_id']));
    await bob.client.getCrypto()!.forceDiscardSession(roomId);
    const whileDown = 'sent while the hub was down, on a new session';
    const whileDownId = await bob.sendText(roomId, whileDown);
    const whileDownEvent = world.hs.state.rooms.get(roomId)!.events.find((s) => s.event.event_id === whileDownId)!.event;
    expect(sessionsBefore.has(whileDownEvent.content['session_id'])).toBe(false);
    expect(world.hs.state.e2ee.inboxOf(world.aliceId(), deviceId).some((m) => m.event.type === 'm.room.encrypted')).toBe(true);

    let started = Date.now();
    const third = startHubChild(profile.dir, world.keychain.service);
    await third.status('online');
    timings['restart to online'] = Date.now() - started;

    // (a) The same device, with the same identity keys, and nothing uploaded twice or refused.
    const identityAfter = await third.call('security.status', { accountId });
    expect({ deviceId: identityAfter.deviceId, fingerprint: identityAfter.fingerprint }).toEqual({ deviceId: identity.deviceId, fingerprint: identity.fingerprint });
    expect(serverKeysOf(world)).toEqual(keysBefore);
    // No new login either: the restarted hub is the device it was.
    expect([...world.hs.state.users.get(world.aliceId())!.devices.keys()]).toEqual(devicesBefore);
    expect(keyUploads(world).filter((u) => u.status !== 200)).toEqual([]);

    // (c) The message on the session whose key waited on the server while the hub was down.
    started = Date.now();
    await waitForDecrypted(third, itemId, whileDown);
    timings['to-device key after restart'] = Date.now() - started;
    await waitForDecrypted(third, itemId, 'sent as the hub died');
    await waitForDecrypted(third, itemId, beforeKill);

    // (b) A message sent after the restart.
    const afterRestart = 'sent after the restart';
    await bob.sendText(roomId, afterRestart);
    await waitForDecrypted(third, itemId, afterRestart);

    // (d) The oldest message is further back than the saved sync state and the sync brought: it
    // comes through /messages and decrypts with a key from the first run.
    const firstTimeline = await third.call('chat.timeline', { itemId });
    expect(decrypted(firstTimeline, oldest)).toBeUndefined();
    const paged = world.hs.requests.length;
    started = Date.now();
    const { timeline, pages } = await waitForDecrypted(third, itemId, oldest, { older: true });
    timings['back-paginate to the oldest'] = Date.now() - started;
    expect(pages).toBeGreaterThan(0);
    expect(world.hs.requests.slice(paged).some((r) => r.method === 'GET' && r.path.includes(`/rooms/${encodeURIComponent(roomId)}/messages`))).toBe(true);
    const texts = timeline.messages.filter((m) => m.kind === 'text').map((m) => m.body);
    for (let i = 0; i < fillers; i++) expect(texts).toContain(`filler ${i}`);
    expect(timeline.messages.filter((m) => m.kind === 'undecryptable')).toEqual([]);

    // Still nothing re-uploaded after all that: the keys on the server are the first run's, and
    // alice's device list never changed (no new keys, no new signatures on them).
    expect(serverKeysOf(world)).toEqual(keysBefore);
    expect(deviceListChanges(world)).toBe(changesBefore);
    expect(keyUploads(world).slice(afterKillUploads).filter((u) => u.status !== 200)).toEqual([]);
    console.info(`e2ee crash: ${JSON.stringify(timings)}`);
  });

  const seed = Number(process.env['GS_E2EE_CRASH_SEED'] ?? randomInt(1, 2 ** 31));
  const MESSAGES = 300;
  const KILLS = 10;

  it(`decrypts ${MESSAGES} messages, each on a new megolm session, through ${KILLS} random SIGKILLs (seed ${seed}; replay with GS_E2EE_CRASH_SEED=${seed})`, { timeout: 180_000 }, async () => {
    const random = prng(seed);
    // Each kill comes this long after the child has loaded and opened the hub: during the crypto
    // start, the first sync and the decryption of the keys that waited for it, or live syncing.
    const killDelays = Array.from({ length: KILLS }, () => Math.round(300 + random() * 3_000));
    let hub = startHubChild(profile.dir, world.keychain.service);
    const { accountId, deviceId, roomId, itemId } = await signInAndJoin(world, bob, hub, 'Stress room');
    const startupMs = (await hub.ready()) - hub.spawnedAt;
    const identity = await hub.call('security.status', { accountId });
    const keysBefore = serverKeysOf(world);
    const changesBefore = deviceListChanges(world);
    // Bob's first message also opens his Olm session with this device, under fire like the rest
    // (see the note on pre-key messages at the end of this file).

    // Bob paces himself so that his messages spread over the stretch of kills still to come (an
    // estimate; being late only means more for the last hub), then sends the rest as fast as he can.
    const startups = [startupMs];
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const started = Date.now();
    const sent: { eventId: string; body: string; round: number; hubOnline: boolean }[] = [];
    let round = 0;
    const sendTimes: number[] = [];
    const sending = (async () => {
      for (let i = 0; i < MESSAGES; i++) {
        if (round < KILLS) {
          const killsLeftMs = killDelays.slice(round).reduce((sum, delay) => sum + delay, 0) + (KILLS - round) * median(startups);
          await sleep(killsLeftMs / (MESSAGES - i));
        }
        const sendStart = performance.now();
        await bob.client.getCrypto()!.forceDiscardSession(roomId);
        const body = `stress ${i}`;
        const eventId = await bob.sendText(roomId, body);
        sendTimes.push(performance.now() - sendStart);
        sent.push({ eventId, body, round, hubOnline: hub.onlineAt() !== undefined });
      }
    })();
    sending.catch(() => undefined);

    const kills: { delayMs: number; sentBefore: number; phase: 'starting' | 'online' }[] = [];
    while (round < KILLS) {
      const readyAt = await hub.ready();
      if (round > 0) startups.push(readyAt - hub.spawnedAt);
      await sleep(Math.max(0, Math.max(readyAt, started) + killDelays[round]! - Date.now()));
      const phase = hub.onlineAt() === undefined ? 'starting' : 'online';
      await hub.kill();
      kills.push({ delayMs: killDelays[round]!, sentBefore: sent.length, phase });
      round += 1;
      hub = startHubChild(profile.dir, world.keychain.service);
    }
    const killsMs = Date.now() - started;
    await sending;
    const sendingMs = Date.now() - started;

    // Everything is on the server; the last hub must read it all.
    const readStarted = Date.now();
    await hub.status('online');
    const bodies = sent.map((s) => s.body);
    let timeline: ChatTimeline | undefined;
    let pages = 0;
    let older = false;
    try {
      await eventuallyIn(
        `all ${MESSAGES} messages decrypted`,
        async () => {
          timeline = await hub.call('chat.timeline', { itemId, older });
          if (older) pages += 1;
          const texts = new Set(timeline.messages.filter((m) => m.kind === 'text').map((m) => m.body));
          if (bodies.every((body) => texts.has(body))) return true;
          older = timeline.hasOlder;
          if (!older) await sleep(100);
          return undefined;
        },
        60_000,
      );
    } catch (error) {
      const texts = new Set(timeline?.messages.filter((m) => m.kind === 'text').map((m) => m.body));
      const missing = sent.filter((s) => !texts.has(s.body)).map((s) => `${s.body} (round ${s.round})`);
      const undecryptable = timeline?.messages.filter((m) => m.kind === 'undecryptable').map((m) => `${m.id}: ${m.body}`);
      throw new Error(
        `seed ${seed}: ${String(error)}\nkills: ${JSON.stringify(kills)}\nmissing: ${JSON.stringify(missing)}\n` +
          `undecryptable: ${JSON.stringify(undecryptable)}\nhasOlder: ${timeline?.hasOlder}`,
        { cause: error },
      );
    }
    const readMs = Date.now() - readStarted;
    const sorted = [...sendTimes].sort((a, b) => a - b);
    console.info(
      `e2ee crash stress (seed ${seed}): ${MESSAGES} messages in ${sendingMs} ms, the ${KILLS} kills over ${killsMs} ms ` +
        `(forceDiscardSession + send: median ${Math.round(median(sendTimes))} ms, p95 ${Math.round(sorted[Math.floor(sorted.length * 0.95)]!)} ms); ` +
        `${sent.filter((s) => !s.hubOnline).length} sent while no hub was online; child start to READY median ${median(startups)} ms; ` +
        `kills: ${kills.map((k) => `${k.delayMs} ms after READY (${k.phase}, ${k.sentBefore} sent)`).join(', ')}; ` +
        `all decrypted ${readMs} ms after the last start (${pages} pages back)`,
    );
    expect(timeline!.messages.filter((m) => m.kind === 'undecryptable')).toEqual([]);

    // Each message had its own megolm session, and the device is still the first run's.
    const ids = new Set(sent.map((s) => s.eventId));
    const events = world.hs.state.rooms.get(roomId)!.events.map((s) => s.event).filter((e) => ids.has(e.event_id));
    expect(events.every((e) => e.type === 'm.room.encrypted')).toBe(true);
    expect(new Set(events.map((e) => e.content['session_id'])).size).toBe(MESSAGES);
    const identityAfter = await hub.call('security.status', { accountId });
    expect({ deviceId: identityAfter.deviceId, fingerprint: identityAfter.fingerprint }).toEqual({ deviceId, fingerprint: identity.fingerprint });
    expect(serverKeysOf(world)).toEqual(keysBefore);
    expect(deviceListChanges(world)).toBe(changesBefore);
    expect(keyUploads(world).filter((u) => u.status !== 200)).toEqual([]);
    // The kills landed while bob was sending, not all before or after.
    expect(kills.filter((k) => k.sentBefore > 0 && k.sentBefore < MESSAGES).length).toBeGreaterThanOrEqual(KILLS - 1);
  });
});

describe('paging back while a limited sync resets the timeline', () => {
  // Found by the stress test above: a page of history that was on its way when a gappy sync
  // replaced the live timeline was glued onto the new timeline, hiding the gap for good.
  it('leaves no gap when the page arrives after the reset', { timeout: 60_000 }, async () => {
    const alice = new AliceHub(world, profile);
    try {
      await alice.signIn();
      alice.hub.startConnectors();
      const { roomId, item } = await alice.sharedRoom({ name: 'Race' });
      // More than the saved sync state holds, so that there is history to page back to after a restart.
      const early = SAVED_TIMELINE_EVENTS + 10;
      for (let n = 1; n <= early; n++) await world.bob.sendText(roomId, `early ${n}`);
      await alice.roomWhere(roomId, 'the last early message in the row', (i) => i.snippet === `early ${early}`);
      await alice.restart();
      await alice.roomWhere(roomId, 'the room after the restart', (i) => i.snippet === `early ${early}`);
      // Synced with the server again (the timeline waits for that), with history left to page back to.
      expect((await alice.timeline(item.id)).hasOlder).toBe(true);

      // The page of history is slow to come; the next sync is held back until bob has sent more
      // than a sync carries, so that it comes limited and resets the timeline before the page lands.
      const realFetch = globalThis.fetch;
      let releasePage: () => void = () => undefined;
      const pageHeld = new Promise<void>((resolve) => (releasePage = resolve));
      let pageRequested: () => void = () => undefined;
      const pageStarted = new Promise<void>((resolve) => (pageRequested = resolve));
      let holdSyncs = false;
      let releaseSyncs: () => void = () => undefined;
      const syncsHeld = new Promise<void>((resolve) => (releaseSyncs = resolve));
      globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url.includes('/messages?')) {
          pageRequested();
          const response = await realFetch(input, init);
          await pageHeld;
          return response;
        }
        if (holdSyncs && url.includes('/sync?') && url.includes('since=')) await syncsHeld;
        return realFetch(input, init);
      }) as typeof fetch;
      try {
        holdSyncs = true;
        const older = alice.timeline(item.id, true);
        await withDeadline(pageStarted, 'the page request');
        for (let n = 1; n <= INITIAL_SYNC_LIMIT + 5; n++) await world.bob.sendText(roomId, `late ${n}`);
        holdSyncs = false;
        releaseSyncs();
        await alice.roomWhere(roomId, 'the limited sync', (i) => i.snippet === `late ${INITIAL_SYNC_LIMIT + 5}`);
        releasePage();
        await older;
      } finally {
        globalThis.fetch = realFetch;
        releasePage();
        releaseSyncs();
      }

      let timeline = await alice.timeline(item.id);
      for (let page = 0; page < 10 && timeline.hasOlder; page++) timeline = await alice.timeline(item.id, true);
      const bodies = timeline.messages.filter((m) => m.kind === 'text').map((m) => m.body);
      expect(bodies).toEqual([
        ...Array.from({ length: early }, (_, i) => `early ${i + 1}`),
        ...Array.from({ length: INITIAL_SYNC_LIMIT + 5 }, (_, i) => `late ${i + 1}`),
      ]);
    } finally {
      await alice.dispose(false);
    }
  });
});

/*
 * A note on pre-key messages. The first Olm message bob's device sends to this device creates the
 * Olm session on arrival, and matrix-sdk-crypto (0.19, inside matrix-sdk-crypto-wasm) saves that
 * session in a commit of its own (Account::decrypt_olm_message), before the room key the message
 * carries is saved with the rest of the sync. Journaled alone, a SIGKILL between the two would lose
 * that key for good: the server hands the message out again, but the saved session has already used
 * it up ("Failed to decrypt a pre-key message with the corresponding session"). The durable store
 * therefore holds such a commit back and journals it with the next one (durable-indexeddb.ts), and
 * this test lets the kills fall on the first message too.
 */
