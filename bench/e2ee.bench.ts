/**
 * Matrix end-to-end encryption: how long alice's Groundswell takes to restart with 20,000 megolm
 * room keys in its durable crypto store, what one encrypted event costs to decrypt, and what the
 * hub process holds in memory with those keys.
 *
 * Alice is a real Hub on a temporary profile (the keychain is a Map, as in matrix.bench.ts). Each
 * restart that is measured runs in a fresh Node process, as a real restart does: the crypto wasm is
 * compiled and the store read from disk there, and its memory is the hub's alone (the homeserver and
 * bob, a plain matrix-js-sdk client with Rust crypto, live in this process). The child is this file
 * again, started with HUB_ROLE and driven over IPC.
 *
 * The 20,000 keys are real megolm sessions, made by an in-memory OlmMachine and exported, then
 * imported into alice's store through the same startDeviceCrypto the connector uses (it opens the
 * store of the account's folder with the storage key from the keychain).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { DeviceId, EncryptionSettings, initAsync, OlmMachine, RoomId, StoreHandle, UserId } from '@matrix-org/matrix-sdk-crypto-wasm';
import { createClient, Direction, MatrixClient, MatrixEvent, MatrixEventEvent } from 'matrix-js-sdk';
import type { IEvent } from 'matrix-js-sdk';
import { isAccountOf, type AccountOf, type MatrixSettings } from '../src-shared/domain.ts';
import { createLogger, silentSink } from '../src-main/common/logger.ts';
import type { Logger } from '../src-main/common/logger.ts';
import type { ConnectorContext } from '../src-main/connectors/connector.ts';
import { cryptoStoreDir, startDeviceCrypto } from '../src-main/connectors/matrix/device-crypto.ts';
import { matrixKind } from '../src-main/connectors/matrix/kind.ts';
import { Hub } from '../src-main/hub/hub.ts';
import { profilePaths } from '../src-main/hub/profile.ts';
import type { SecretStore } from '../src-main/secrets/secret-store.ts';
import { startHomeserver } from '../tests/support/homeserver/index.ts';
import type { Homeserver } from '../tests/support/homeserver/index.ts';
import { startSdkPeer, waitUntil } from '../tests/support/sdk-peer.ts';
import type { SdkPeer } from '../tests/support/sdk-peer.ts';
import { memorySecrets } from './memory-secrets.ts';
import { percentile, report } from './report.ts';

const BENCH = 'e2ee';
const HUB_ROLE = 'e2ee-hub-process';
const ROOM_KEYS = 20_000;
/** The keys come from this many devices and are spread over this many rooms, as a long-used account's would be. */
const KEY_SENDERS = 50;
const KEY_ROOMS = 400;
const MESSAGES = 200;
const WARM_UP = 5;
const ALICE_PASSWORD = 'alice-bench-Zq81';
const BOB_PASSWORD = 'bob-bench-pass';
const MiB = 1024 * 1024;

const ONLINE_TIMEOUT_MS = 60_000;
const DECRYPT_TIMEOUT_MS = 15_000;
const CALL_TIMEOUT_MS = 120_000;

/** Milliseconds on a clock both processes share (wall-clock origin + monotonic offset). */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Memory {
  rss: number;
  heapUsed: number;
  /** What V8 holds for its heap; the young generation's part of it is touched (and so in RSS) as garbage churns through it. */
  heapTotal: number;
  youngGeneration: number;
  /** The crypto wasm's linear memory: it grows to its peak and never shrinks. */
  wasm: number;
}

/** The part of the WebAssembly global used here (the node tsconfig has no DOM lib to type it). */
interface WasmApi {
  instantiate(...args: unknown[]): Promise<{ instance?: { exports: Record<string, unknown> }; exports?: Record<string, unknown> }>;
  Memory: abstract new (...args: never[]) => { buffer: ArrayBuffer };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
/** Linear memories of the wasm modules this process instantiated (the crypto's is the only one). */
const wasmMemories: { buffer: ArrayBuffer }[] = [];

function settle(): Memory {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return {
    rss,
    heapUsed,
    heapTotal,
    youngGeneration: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? Number.NaN,
    wasm: wasmMemories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0),
  };
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
        const at = now();
        off();
        clearTimeout(deadline);
        resolve(at);
      }
    });
    const deadline = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the account to be online (last status: ${last})`));
    }, timeoutMs);
  });
}

// ——— The hub process ———————————————————————————————————————————————————————————————————————————

interface Span {
  start?: number;
  end?: number;
}

const spanMs = (span: Span) => (span.start !== undefined && span.end !== undefined ? span.end - span.start : Number.NaN);

interface RestartFigures {
  /** Hub.open: profile lock, SQLite. */
  hubOpenMs: number;
  /** startConnectors → initRustCrypto called: keychain, saved sync state, client, crypto store load. */
  untilInitRustCryptoMs: number;
  /** What opening the durable store reported (snapshot + journal into the in-memory IndexedDB). */
  storeLoadMs: number;
  replayedCommits: number;
  initRustCryptoMs: number;
  /** initRustCrypto called → StoreHandle.openWithKey called: importing the SDK's rust-crypto and compiling the wasm. */
  wasmMs: number;
  storeHandleMs: number;
  olmMachineMs: number;
  /** initRustCrypto resolved → account online: startClient, the saved sync, the first incremental /sync. */
  afterCryptoToOnlineMs: number;
  /** Hub.open + startConnectors → online, the restart as the user waits for it. */
  restartMs: number;
  memory: { processStart: Memory; beforeCrypto: Memory; online: Memory };
}

interface StoredDecrypt {
  durations: number[];
  failures: number;
}

type Command =
  | { cmd: 'start'; profileDir: string; accountId: string; secrets: [string, string][] }
  | { cmd: 'decryptStored'; roomId: string }
  | { cmd: 'memory' }
  | { cmd: 'stop' };

interface Replies {
  start: RestartFigures;
  decryptStored: StoredDecrypt;
  memory: Memory;
  stop: number;
}

/** An event alice's connector decrypted: when, and how long after the SDK first tried. */
interface Decrypted {
  eventId: string;
  at: number;
  sinceAttemptMs: number;
}

type FromHub =
  | { kind: 'reply'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string }
  | ({ kind: 'decrypted' } & Decrypted);

/**
 * Wraps methods the connector's path goes through, without changing what they do: the times of
 * initRustCrypto and of its two big steps inside the wasm, the client it was called on (to watch its
 * decryptions and to decrypt stored events with it), and when each event's decryption first began.
 */
function instrument(onClient: (client: MatrixClient) => void) {
  const spans = { initRustCrypto: {} as Span, storeHandle: {} as Span, olmMachine: {} as Span };
  const timed = <F extends (...args: never[]) => Promise<unknown>>(original: F, span: Span): F =>
    async function (this: unknown, ...args: Parameters<F>) {
      span.start ??= now();
      try {
        return await original.apply(this, args);
      } finally {
        span.end ??= now();
      }
    } as F;
  const initRustCrypto = MatrixClient.prototype.initRustCrypto;
  const timedInit = timed(initRustCrypto, spans.initRustCrypto);
  MatrixClient.prototype.initRustCrypto = function (this: MatrixClient, ...args: Parameters<MatrixClient['initRustCrypto']>) {
    onClient(this);
    return timedInit.apply(this, args);
  };
  StoreHandle.openWithKey = timed(StoreHandle.openWithKey.bind(StoreHandle), spans.storeHandle);
  OlmMachine.initFromStore = timed(OlmMachine.initFromStore.bind(OlmMachine), spans.olmMachine);

  const instantiate = wasmApi.instantiate;
  wasmApi.instantiate = async (...args: unknown[]) => {
    const result = await instantiate.apply(wasmApi, args);
    const memory = (result.instance ?? result).exports?.['memory'];
    if (memory instanceof wasmApi.Memory) wasmMemories.push(memory);
    return result;
  };

  const attempts = new WeakMap<MatrixEvent, number>();
  const attemptDecryption = MatrixEvent.prototype.attemptDecryption;
  MatrixEvent.prototype.attemptDecryption = function (this: MatrixEvent, ...args: Parameters<MatrixEvent['attemptDecryption']>) {
    if (!attempts.has(this)) attempts.set(this, now());
    return attemptDecryption.apply(this, args);
  };
  return { spans, attempts };
}

async function runHubProcess(): Promise<void> {
  const processStart = settle();
  const send = (message: FromHub, then: () => void = () => undefined) => process.send?.(message, then);
  let client: MatrixClient | undefined;
  let hub: Hub | undefined;
  const { spans, attempts } = instrument((c) => {
    client = c;
    c.on(MatrixEventEvent.Decrypted, (event, error) => {
      const eventId = event.getId();
      if (error || event.isDecryptionFailure() || !eventId) return;
      const at = now();
      send({ kind: 'decrypted', eventId, at, sinceAttemptMs: at - (attempts.get(event) ?? at) });
    });
  });
  let cryptoReady: { loadMs: number; replayedCommits: number } | undefined;

  const start = async ({ profileDir, accountId, secrets }: Extract<Command, { cmd: 'start' }>): Promise<RestartFigures> => {
    // The hub's own log file, read on the way for what the connector logs when its crypto is ready.
    const logPath = profilePaths(profileDir).log;
    mkdirSync(dirname(logPath), { recursive: true });
    const log = createLogger({
      write: (line) => {
        appendFileSync(logPath, line + '\n', { mode: 0o600 });
        if (line.includes('"message":"encryption ready"')) cryptoReady = JSON.parse(line) as { loadMs: number; replayedCommits: number };
      },
    });
    const openStarted = now();
    hub = Hub.open({ profileDir, secrets: memorySecrets(new Map(secrets)), kinds: [matrixKind], log });
    const hubOpenMs = now() - openStarted;
    const beforeCrypto = settle();
    const online = whenOnline(hub, accountId, ONLINE_TIMEOUT_MS);
    const connectorsStarted = now();
    hub.startConnectors();
    const onlineAt = await online;
    if (!cryptoReady) throw new Error('the account was online without its crypto store reporting ready');
    // The connector's follow-up work (key queries, the next /sync) before weighing the process.
    await sleep(1_000);
    return {
      hubOpenMs,
      untilInitRustCryptoMs: (spans.initRustCrypto.start ?? Number.NaN) - connectorsStarted,
      storeLoadMs: cryptoReady.loadMs,
      replayedCommits: cryptoReady.replayedCommits,
      initRustCryptoMs: spanMs(spans.initRustCrypto),
      wasmMs: (spans.storeHandle.start ?? Number.NaN) - (spans.initRustCrypto.start ?? Number.NaN),
      storeHandleMs: spanMs(spans.storeHandle),
      olmMachineMs: spanMs(spans.olmMachine),
      afterCryptoToOnlineMs: onlineAt - (spans.initRustCrypto.end ?? Number.NaN),
      restartMs: hubOpenMs + (onlineAt - connectorsStarted),
      memory: { processStart, beforeCrypto, online: settle() },
    };
  };

  /** Fetches the room's encrypted events and decrypts fresh copies of them one at a time. */
  const decryptStored = async (roomId: string): Promise<StoredDecrypt> => {
    if (!client) throw new Error('no client yet');
    const page = await client.createMessagesRequest(roomId, null, 1_000, Direction.Backward);
    const encrypted = page.chunk.filter((e) => e.type === 'm.room.encrypted').reverse();
    const durations: number[] = [];
    let failures = 0;
    for (const raw of encrypted) {
      const event = new MatrixEvent(raw as Partial<IEvent>);
      const started = performance.now();
      await client.decryptEventIfNeeded(event);
      durations.push(performance.now() - started);
      if (event.isDecryptionFailure()) failures++;
    }
    return { durations, failures };
  };

  const handle = async (command: Command): Promise<unknown> => {
    switch (command.cmd) {
      case 'start':
        return start(command);
      case 'decryptStored':
        return decryptStored(command.roomId);
      case 'memory':
        return settle();
      case 'stop': {
        const started = now();
        await hub?.dispose();
        return now() - started;
      }
    }
  };

  process.on('message', (message: Command & { id: number }) => {
    handle(message).then(
      (value) => send({ kind: 'reply', id: message.id, value }, message.cmd === 'stop' ? () => process.exit() : undefined),
      (error: unknown) => send({ kind: 'error', id: message.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // Orphaned (the bench died without stopping it): nothing more will come.
  process.on('disconnect', () => process.exit(1));
  await new Promise<never>(() => undefined);
}

/** The bench's end of a hub process. */
class HubProcess {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly decrypted = new Map<string, Decrypted>();
  private readonly waiting = new Map<string, (decrypted: Decrypted) => void>();

  constructor() {
    // stdout goes to stderr: `bench/run.ts` reads this process's stdout for rows.
    this.child = fork(fileURLToPath(import.meta.url), [HUB_ROLE], { execArgv: ['--expose-gc'], stdio: ['ignore', 2, 2, 'ipc'] });
    this.child.on('message', (message: FromHub) => {
      if (message.kind === 'decrypted') {
        if (this.decrypted.has(message.eventId)) return;
        this.decrypted.set(message.eventId, message);
        this.waiting.get(message.eventId)?.(message);
        return;
      }
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.kind === 'reply') pending?.resolve(message.value);
      else pending?.reject(new Error(`hub process: ${message.message}`));
    });
    this.child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`the hub process exited (${code})`));
      this.pending.clear();
    });
  }

  call<C extends Command['cmd']>(command: Extract<Command, { cmd: C }>): Promise<Replies[C]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub process: ${command.cmd} took over ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as Replies[C]);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...command, id });
    });
  }

  whenDecrypted(eventId: string, timeoutMs: number): Promise<Decrypted> {
    const known = this.decrypted.get(eventId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(eventId);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for alice's hub to decrypt ${eventId}`));
      }, timeoutMs);
      this.waiting.set(eventId, (decrypted) => {
        clearTimeout(timer);
        this.waiting.delete(eventId);
        resolve(decrypted);
      });
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

// ——— The bench ———————————————————————————————————————————————————————————————————————————————

/**
 * `count` real megolm sessions from `senders` devices over `rooms` rooms, as one exported key file
 * (IMegolmSessionData[]) holds them: each sender is an in-memory OlmMachine.
 */
async function generateRoomKeys(count: number, senders: number, rooms: number): Promise<string> {
  await initAsync();
  const settings = new EncryptionSettings();
  const exported: unknown[] = [];
  for (let s = 0; s < senders; s++) {
    const machine = await OlmMachine.initialize(new UserId(`@sender-${s}:bench`), new DeviceId(`SENDER${s}`));
    try {
      for (let i = s; i < count; i += senders) {
        const roomId = new RoomId(`!bench-${i % rooms}:bench`);
        // Sharing with nobody still makes the outbound session and its inbound twin; discarding it makes the next one new.
        await machine.shareRoomKey(roomId, [], settings);
        await machine.invalidateGroupSession(roomId);
      }
      exported.push(...(JSON.parse(await machine.exportRoomKeys(() => true)) as unknown[]));
    } finally {
      machine.free();
    }
  }
  return JSON.stringify(exported);
}

/** The context startDeviceCrypto reads: the account, its folder and its keychain entry. */
function cryptoContext(account: AccountOf<'matrix'>, dataDir: string, secrets: SecretStore, log: Logger): ConnectorContext<MatrixSettings> {
  const context: Pick<ConnectorContext<MatrixSettings>, 'account' | 'log' | 'readSecret' | 'writeSecret' | 'dataDir'> = {
    account,
    log,
    dataDir,
    readSecret: async () => (await secrets.getPassword(account.id)) ?? '',
    writeSecret: (secret) => secrets.setPassword(account.id, secret),
  };
  return context as ConnectorContext<MatrixSettings>;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function runBench(): Promise<void> {
  const benchStarted = performance.now();
  const phase = (what: string) => process.stderr.write(`  ${what} (${((performance.now() - benchStarted) / 1000).toFixed(1)} s)\n`);
  const hs: Homeserver = await startHomeserver({ serverName: 'address' });
  const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-e2ee-'));
  const hubs: HubProcess[] = [];
  let bob: SdkPeer | undefined;
  try {
    await hs.registerUser('alice', ALICE_PASSWORD);
    await hs.registerUser('bob', BOB_PASSWORD);
    const aliceId = `@alice:${hs.serverName}`;
    const secretMap = new Map<string, string>();
    const secrets = memorySecrets(secretMap);

    // 1. Alice signs in (a new device, its keys and cross-signing) and joins two encrypted rooms of bob's.
    const hub = Hub.open({ profileDir, secrets, kinds: [matrixKind] });
    let account: AccountOf<'matrix'>;
    let sameRoom: string;
    let newRoom: string;
    try {
      const added = await hub.call('accounts.add', { kind: 'matrix', input: { userId: aliceId, password: ALICE_PASSWORD } });
      if (!added.ok) throw new Error(`accounts.add failed: ${added.error.message}`);
      if (!isAccountOf(added.value.account, 'matrix')) throw new Error(`accounts.add made a ${added.value.account.kind} account`);
      account = added.value.account;
      const online = whenOnline(hub, account.id, ONLINE_TIMEOUT_MS);
      hub.startConnectors();
      await online;
      bob = await startSdkPeer(hs, 'bob', BOB_PASSWORD);
      sameRoom = await bob.createEncryptedRoom([aliceId], 'One session');
      newRoom = await bob.createEncryptedRoom([aliceId], 'A session per message');
      for (const roomId of [sameRoom, newRoom]) {
        const invite = await waitUntil('the invitation in alice’s inbox', async () => {
          const listed = await hub.call('inbox.list', { source: 'chat', limit: 50 });
          return listed.ok ? listed.value.items.find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId) : undefined;
        });
        const joined = await hub.call('chat.respondToInvite', { itemId: invite.id, accept: true });
        if (!joined.ok) throw new Error(`chat.respondToInvite failed: ${joined.error.message}`);
        await waitUntil('alice joined, as bob sees it', () => bob?.client.getRoom(roomId)?.getMember(aliceId)?.membership === 'join');
      }
    } finally {
      await hub.dispose();
    }
    const accountId = account.id;
    const dataDir = join(profilePaths(profileDir).accounts, accountId);
    const storeDir = cryptoStoreDir(dataDir);
    phase('alice signed in and joined two encrypted rooms');

    // 2. The same restart with no room keys yet, for comparison.
    const baselineHub = new HubProcess();
    hubs.push(baselineHub);
    const baseline = await baselineHub.call({ cmd: 'start', profileDir, accountId, secrets: [...secretMap] });
    await baselineHub.call({ cmd: 'stop' });
    phase('restart with no room keys measured');

    // 3. 20,000 room keys into alice's store, through the connector's own startDeviceCrypto.
    const generated = await generateRoomKeys(ROOM_KEYS, KEY_SENDERS, KEY_ROOMS);
    phase(`${ROOM_KEYS.toLocaleString('en-US')} room keys generated`);
    const session = JSON.parse(secretMap.get(accountId) ?? '{}') as { accessToken?: string };
    const bareClient = () =>
      createClient({ baseUrl: hs.baseUrl, userId: aliceId, deviceId: account.settings.deviceId, accessToken: session.accessToken });
    const context = cryptoContext(account, dataDir, secrets, createLogger(silentSink));
    let importMs: number;
    {
      const client = bareClient();
      const store = await startDeviceCrypto(client, context);
      const importStarted = performance.now();
      await client.getCrypto()!.importRoomKeysAsJson(generated);
      importMs = performance.now() - importStarted;
      client.stopClient();
      await store.close();
    }
    const snapshotBytes = fileBytes(join(storeDir, 'snapshot'));
    const journalBytes = fileBytes(join(storeDir, 'journal'));
    // Opened once more here (the wasm already loaded): the keys are all there, and what a warm open costs.
    let storedKeys: number;
    let warmOpenMs: number;
    let warmLoadMs: number;
    {
      const client = bareClient();
      const started = performance.now();
      const store = await startDeviceCrypto(client, context);
      warmOpenMs = performance.now() - started;
      warmLoadMs = store.loaded.loadMs;
      const machine = (client.getCrypto() as unknown as { getOlmMachineOrThrow(): OlmMachine }).getOlmMachineOrThrow();
      storedKeys = Number((await machine.roomKeyCounts()).total);
      client.stopClient();
      await store.close();
    }
    if (storedKeys < ROOM_KEYS) throw new Error(`alice's store holds ${storedKeys} room keys after importing ${ROOM_KEYS}`);
    phase(`${storedKeys.toLocaleString('en-US')} room keys in alice's store`);

    // 4. The restart with 20,000 keys, then bob's messages as alice's restarted hub decrypts them.
    const aliceHub = new HubProcess();
    hubs.push(aliceHub);
    const restart = await aliceHub.call({ cmd: 'start', profileDir, accountId, secrets: [...secretMap] });
    phase('restart with 20,000 room keys measured');

    const live = async (roomId: string, newSessionEach: boolean) => {
      const latencies: number[] = [];
      const sinceAttempt: number[] = [];
      for (let i = -WARM_UP; i < MESSAGES; i++) {
        if (newSessionEach) await bob!.client.getCrypto()!.forceDiscardSession(roomId);
        const eventId = await bob!.sendText(roomId, `encrypted ${i} ${Date.now()}`);
        const sent = now();
        const decrypted = await aliceHub.whenDecrypted(eventId, DECRYPT_TIMEOUT_MS);
        if (i >= 0) {
          latencies.push(Math.max(0, decrypted.at - sent));
          sinceAttempt.push(decrypted.sinceAttemptMs);
        }
        await sleep(10);
      }
      return { latencies: latencies.sort((a, b) => a - b), sinceAttempt: sinceAttempt.sort((a, b) => a - b) };
    };
    const liveSame = await live(sameRoom, false);
    phase(`${MESSAGES} messages on one session decrypted live`);
    const liveNew = await live(newRoom, true);
    phase(`${MESSAGES} messages on a session each decrypted live`);
    const afterLive = await aliceHub.call({ cmd: 'memory' });
    const storedSame = await aliceHub.call({ cmd: 'decryptStored', roomId: sameRoom });
    const storedNew = await aliceHub.call({ cmd: 'decryptStored', roomId: newRoom });
    const afterDecrypting = await aliceHub.call({ cmd: 'memory' });
    const disposeMs = await aliceHub.call({ cmd: 'stop' });
    phase('stored events decrypted');
    for (const stored of [storedSame, storedNew]) {
      if (stored.failures > 0) throw new Error(`${stored.failures} of ${stored.durations.length} stored events did not decrypt`);
      stored.durations.sort((a, b) => a - b);
    }

    const keys = ROOM_KEYS.toLocaleString('en-US');
    const ms = (metric: string, value: number) => report({ bench: BENCH, metric, value, unit: 'ms' });
    const mib = (metric: string, bytes: number) => report({ bench: BENCH, metric, value: bytes / MiB, unit: 'MiB' });

    // 1. Restart.
    ms(`restart with ${keys} room keys: Hub.open + startConnectors → account online (fresh process, saved sync)`, restart.restartMs);
    ms(`  Hub.open (profile lock, SQLite)`, restart.hubOpenMs);
    ms(`  startConnectors → initRustCrypto called (keychain, saved sync, client, crypto store load)`, restart.untilInitRustCryptoMs);
    ms(`    of it the crypto store load: snapshot + journal (${restart.replayedCommits} commits) → in-memory IndexedDB`, restart.storeLoadMs);
    ms(`  initRustCrypto`, restart.initRustCryptoMs);
    ms(`    import rust-crypto + compile the wasm`, restart.wasmMs);
    ms(`    StoreHandle.openWithKey (open the IndexedDB databases, store cipher)`, restart.storeHandleMs);
    ms(`    OlmMachine.initFromStore`, restart.olmMachineMs);
    ms(`    the rest (RustCrypto set-up, outgoingRequests)`, restart.initRustCryptoMs - restart.wasmMs - restart.storeHandleMs - restart.olmMachineMs);
    ms(`  initRustCrypto done → online (startClient, saved sync, first incremental /sync)`, restart.afterCryptoToOnlineMs);
    ms(`same restart with no room keys`, baseline.restartMs);
    ms(`  its crypto store load`, baseline.storeLoadMs);
    ms(`  its initRustCrypto`, baseline.initRustCryptoMs);
    mib(`crypto store snapshot on disk with ${keys} room keys`, snapshotBytes);
    report({ bench: BENCH, metric: `  journal beside it (a header only: the import's commit was snapshotted)`, value: journalBytes, unit: 'bytes' });
    report({ bench: BENCH, metric: `  room keys the store holds (OlmMachine.roomKeyCounts)`, value: storedKeys, unit: 'keys' });
    ms(`  a warm reopen (wasm loaded, in the bench process): store load`, warmLoadMs);
    ms(`  a warm reopen: store load + initRustCrypto`, warmOpenMs);
    report({ bench: BENCH, metric: `setup: import ${keys} exported keys (importRoomKeysAsJson → durable store, snapshot incl.)`, value: importMs / 1000, unit: 's' });
    ms(`hub.dispose with ${keys} room keys (stop, snapshot rewrite)`, disposeMs);

    // 2. Decryption.
    const decrypts = (label: string, sorted: number[]) => {
      ms(`${label}, p50`, percentile(sorted, 50));
      ms(`  same, p95`, percentile(sorted, 95));
    };
    decrypts(`decrypt one stored event, one session (decryptEventIfNeeded, ${storedSame.durations.length} events in turn, ${keys} keys)`, storedSame.durations);
    decrypts(`decrypt one stored event, a session each (${storedNew.durations.length} sessions)`, storedNew.durations);
    decrypts(`live, one session: bob's PUT returned → Decrypted in alice's hub (${MESSAGES} messages, loopback)`, liveSame.latencies);
    ms(`  same, from the SDK starting to decrypt it (event from /sync) → Decrypted, p50`, percentile(liveSame.sinceAttempt, 50));
    decrypts(`live, a new session each (room key by olm to-device first): PUT returned → Decrypted`, liveNew.latencies);
    ms(`  same, from the SDK starting to decrypt it → Decrypted, p50`, percentile(liveNew.sinceAttempt, 50));

    // 3. Memory of the hub process.
    const { processStart, beforeCrypto, online } = restart.memory;
    mib(`hub process RSS before crypto (after Hub.open)`, beforeCrypto.rss);
    mib(`  heap used`, beforeCrypto.heapUsed);
    mib(`hub process RSS online with ${keys} room keys`, online.rss);
    mib(`  heap used (the store's records live here, in fake-indexeddb)`, online.heapUsed);
    mib(`  V8 heap reserved`, online.heapTotal);
    mib(`    of it the young generation`, online.youngGeneration);
    mib(`  crypto wasm linear memory`, online.wasm);
    mib(`same, online with no room keys: RSS`, baseline.memory.online.rss);
    mib(`  heap used`, baseline.memory.online.heapUsed);
    mib(`  V8 heap reserved`, baseline.memory.online.heapTotal);
    mib(`hub process RSS after decrypting ${(MESSAGES + WARM_UP) * 2} live events`, afterLive.rss);
    mib(`hub process RSS after also decrypting ${storedSame.durations.length + storedNew.durations.length} stored events`, afterDecrypting.rss);
    mib(`  heap used`, afterDecrypting.heapUsed);
    mib(`  V8 heap reserved`, afterDecrypting.heapTotal);
    mib(`  crypto wasm linear memory`, afterDecrypting.wasm);
    mib(`(a Node process with the hub's modules imported, nothing started: RSS)`, processStart.rss);
  } finally {
    for (const hubProcess of hubs) hubProcess.kill();
    bob?.stop();
    await hs.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === HUB_ROLE) await runHubProcess();
else await runBench();

// matrix-js-sdk arms a timer per request that it never clears (see matrix.bench.ts); nothing is left to wait for.
process.exit();
