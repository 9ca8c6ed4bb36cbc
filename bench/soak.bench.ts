/**
 * Soak: one hub (a process of its own, started with the app's memory settings) holding 2,000 mails,
 * 50 rooms (10 encrypted) and 50 feeds, weighed synced and idle, then under steady load for an hour
 * (SOAK_MINUTES) of compressed time: IMAP with a mail arriving every second, a Matrix room where bob talks every
 * second, and 50 feeds polled every minute. Sampled every compressed minute: RSS, JS heap, active
 * handles and timers, each reported first / last / max after a warm-up, and whether it stayed
 * within 10% of its first figure.
 *
 * What compression cannot shrink: timers that run on the wall clock. matrix-js-sdk arms a 110 s
 * timer per /sync request and never clears it, so the timer count climbs for 110 real seconds
 * (22 compressed minutes here) and then holds at about (syncs per second × 110).
 *
 * Compression (12×, 150 s of real time): mail is APPENDed every 83 ms and bob sends every 83 ms,
 * each at twelve times its real rate; a feed's minute passes every 5 s, when the hub polls every
 * feed (sync.once, which is what its timer does when the interval is up; the feeds also keep their
 * own 60-second timers). The feed connector's clock (`now`) only stamps activity; its timers are
 * real, so a fake clock would not make it poll sooner.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { startDovecot } from '../tests/support/dovecot.ts';
import { rssFeed, type FixtureEntry } from '../tests/support/feed-fixtures.ts';
import { startFeedServer } from '../tests/support/feed-server.ts';
import { createRawClient, startHomeserver } from '../tests/support/homeserver/index.ts';
import { appendMessages, mailboxFixture, rfc822 } from '../tests/support/mail-fixtures.ts';
import { HUB_ENV, HUB_EXEC_ARGV } from '../src-main/hub-process/memory-settings.ts';
import { report } from './report.ts';
import type { SoakSample, SoakSetup } from './support/soak-hub.ts';

const BENCH = 'soak';
const COMPRESSION = 12;
const SIMULATED_MINUTES = Number(process.env['SOAK_MINUTES'] ?? 60);
const MINUTE_MS = 60_000 / COMPRESSION;
const LOAD_MS = SIMULATED_MINUTES * MINUTE_MS;
const ARRIVAL_MS = 1_000 / COMPRESSION;
const WARM_UP_MINUTES = 5;
const FEEDS = 50;
/** Feeds given a new entry each minute, in turn, so polls find news as well as 304s. */
const FEEDS_CHANGED_PER_MINUTE = 5;
const ENTRIES_KEPT = 20;
const ALICE_PASSWORD = 'alice-soak-Zq81';
const MAILS = 2_000;
const ROOMS = 50;
const ENCRYPTED_ROOMS = 10;
const IDLE_GOAL_MB = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `send(n)` at a steady `everyMs` until `until`, never two at once; returns how many went out. */
async function steady(everyMs: number, until: number, send: (n: number) => Promise<unknown>): Promise<number> {
  let sent = 0;
  const started = Date.now();
  while (Date.now() < until) {
    await send(sent);
    sent += 1;
    const next = started + sent * everyMs;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  return sent;
}

const dovecot = await startDovecot();
const hs = await startHomeserver({ serverName: 'address' });
const feedServer = await startFeedServer();
const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-soak-'));
const profiles = [profileDir];
let child: ChildProcess | undefined;
let mailer: ImapFlow | undefined;
try {
  const mailUser = dovecot.users[0]!;
  await hs.registerUser('alice', ALICE_PASSWORD);
  const bobSession = await hs.registerUser('bob', 'bob-soak-pass');
  const bob = createRawClient(hs.baseUrl, bobSession.accessToken);
  const alice = createRawClient(hs.baseUrl, (await hs.login('alice', ALICE_PASSWORD)).accessToken);
  const roomId = await bob.createRoom({ preset: 'public_chat', name: 'Busy room' });
  await alice.join(roomId);
  // What the hub holds before the load starts: 2,000 mails, 50 rooms (10 of them encrypted) with a few messages each.
  await appendMessages(dovecot, mailUser, mailboxFixture(MAILS));
  for (let r = 0; r < ROOMS; r++) {
    const encrypted = r < ENCRYPTED_ROOMS;
    const quiet = await bob.createRoom({
      preset: 'public_chat',
      name: `${encrypted ? 'Private' : 'Team'} room ${r}`,
      ...(encrypted ? { initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] } : {}),
    });
    await alice.join(quiet);
    for (let m = 0; m < 3; m++) await bob.sendText(quiet, `Room ${r} message ${m}`);
  }

  const entries: FixtureEntry[][] = Array.from({ length: FEEDS }, () => []);
  const publish = (f: number) => feedServer.serveFeed(`/feed/${f}.xml`, { body: rssFeed(entries[f]!.slice(0, ENTRIES_KEPT), { title: `Feed ${f}` }), contentType: 'application/rss+xml', etag: `"${f}-${entries[f]!.length}"` });
  const addEntry = (f: number) => {
    const k = entries[f]!.length;
    entries[f]!.unshift({ id: `feed-${f}-entry-${k}`, title: `Feed ${f}, entry ${k}`, at: new Date().toISOString(), html: `<p>Entry ${k} of feed ${f}.</p>` });
    publish(f);
  };
  for (let f = 0; f < FEEDS; f++) addEntry(f);

  const setup: SoakSetup = {
    profileDir,
    imap: { host: dovecot.host, port: dovecot.port, user: mailUser.user, password: mailUser.password },
    matrix: { userId: `@alice:${hs.serverName}`, password: ALICE_PASSWORD },
    feeds: Array.from({ length: FEEDS }, (_, f) => feedServer.url(`/feed/${f}.xml`)),
    feedIntervalSeconds: 60,
  };
  // Started as the app and `serve` start it (memory-settings.ts).
  const hubProcess = fork(new URL('./support/soak-hub.ts', import.meta.url).pathname, [JSON.stringify(setup)], {
    execArgv: ['--expose-gc', ...HUB_EXEC_ARGV],
    env: { ...process.env, ...HUB_ENV },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child = hubProcess;
  const exited = new Promise<never>((_, reject) => hubProcess.once('exit', (code) => reject(new Error(`the hub process exited with ${code}`))));
  const answer = <T>(): Promise<T> => Promise.race([new Promise<T>((resolve) => hubProcess.once('message', (m) => resolve(m as T))), exited]);
  const ask = async <T>(message: object): Promise<T> => {
    const answered = answer<T>();
    hubProcess.send(message);
    return answered;
  };
  const setupStarted = Date.now();
  await answer();
  process.stderr.write(`soak: hub up with 52 accounts in ${Date.now() - setupStarted} ms; ${SIMULATED_MINUTES} min at ${COMPRESSION}× (${LOAD_MS / 1000} s)\n`);
  const idle = await syncedAndIdle(ask);
  process.stderr.write(`soak: synced and idle: RSS ${idle.rssMb.toFixed(1)} MB (anonymous ${idle.anonMb.toFixed(1)}, files ${idle.fileMb.toFixed(1)}), heap ${idle.heapMb.toFixed(1)} MB\n`);
  report({ bench: BENCH, metric: `hub RSS, three kinds synced and idle (${MAILS.toLocaleString('en-US')} mails, ${ROOMS} rooms of which ${ENCRYPTED_ROOMS} encrypted, ${FEEDS} feeds)`, value: Number(idle.rssMb.toFixed(1)), unit: 'MB', floor: `≤ ${IDLE_GOAL_MB} MB`, pass: idle.rssMb <= IDLE_GOAL_MB });
  report({ bench: BENCH, metric: '  of it anonymous (heaps, SQLite cache, wasm)', value: Number(idle.anonMb.toFixed(1)), unit: 'MB' });
  report({ bench: BENCH, metric: '  JS heap used', value: Number(idle.heapMb.toFixed(1)), unit: 'MB' });

  mailer = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: mailUser.user, pass: mailUser.password }, logger: false });
  await mailer.connect();
  const mailbox = mailer;

  const until = Date.now() + LOAD_MS;
  const mail = steady(ARRIVAL_MS, until, (n) => {
    const at = new Date();
    return mailbox.append('INBOX', rfc822({ from: 'Load <load@example.test>', subject: `Soak mail ${n}`, date: at, messageId: `<soak-${n}.${at.getTime()}@bench.test>`, content: `Content-Type: text/plain\n\nMail ${n} of the soak.\n` }));
  });
  const chat = steady(ARRIVAL_MS, until, (n) => bob.sendText(roomId, `Busy room message ${n}`));

  const samples: SoakSample[] = [];
  let feedPolls = 0;
  for (let minute = 0; minute < SIMULATED_MINUTES; minute++) {
    const due = until - LOAD_MS + (minute + 1) * MINUTE_MS;
    if (due > Date.now()) await sleep(due - Date.now());
    for (let c = 0; c < FEEDS_CHANGED_PER_MINUTE; c++) addEntry((minute * FEEDS_CHANGED_PER_MINUTE + c) % FEEDS);
    feedPolls += (await ask<{ polled: number }>({ ask: 'poll' })).polled;
    const { sample } = await ask<{ sample: SoakSample }>({ ask: 'sample' });
    samples.push(sample);
    process.stderr.write(
      `soak: minute ${minute + 1}: RSS ${sample.rssMb.toFixed(1)} MB (anonymous ${sample.anonMb.toFixed(1)}, files ${sample.fileMb.toFixed(1)}), heap ${sample.heapMb.toFixed(1)} MB, ${sample.handles} handles, ${sample.timers} timers; unread mail ${sample.unreadMail}, chat ${sample.unreadChat}, feed ${sample.unreadFeed}${sample.offline.length ? `; not online: ${sample.offline.join(', ')}` : ''}\n`,
    );
  }
  const [mailsSent, chatsSent] = await Promise.all([mail, chat]);
  // The last arrivals get a moment to land before the work figures are read.
  await sleep(2_000);
  const { sample: final } = await ask<{ sample: SoakSample }>({ ask: 'sample' });

  const afterWarmUp = samples.slice(WARM_UP_MINUTES - 1);
  const figure = (name: string, unit: string, pick: (s: SoakSample) => number, digits: number) => {
    const values = afterWarmUp.map(pick);
    const first = values[0] as number;
    const last = values.at(-1) as number;
    const max = Math.max(...values);
    const min = Math.min(...values);
    const round = (v: number) => Number(v.toFixed(digits));
    report({ bench: BENCH, metric: `${name}, minute ${WARM_UP_MINUTES} (after warm-up)`, value: round(first), unit });
    report({ bench: BENCH, metric: `${name}, minute ${SIMULATED_MINUTES}`, value: round(last), unit });
    const flat = max <= first * 1.1 && min >= first * 0.9;
    report({ bench: BENCH, metric: `${name}, max over minutes ${WARM_UP_MINUTES}–${SIMULATED_MINUTES}`, value: round(max), unit, floor: `within 10% of minute ${WARM_UP_MINUTES} (${round(first * 0.9)}–${round(first * 1.1)})`, pass: flat });
  };
  figure('hub RSS', 'MB', (s) => s.rssMb, 1);
  figure('hub JS heap', 'MB', (s) => s.heapMb, 1);
  figure('active handles besides timers (sockets, pipes, files)', 'handles', (s) => s.handles - s.timers, 0);
  figure('active timers', 'timers', (s) => s.timers, 0);
  report({
    bench: BENCH,
    metric: `hub RSS after ${SIMULATED_MINUTES} compressed minutes, beside synced and idle`,
    value: Number(final.rssMb.toFixed(1)),
    unit: 'MB',
    floor: `within 10% of ${idle.rssMb.toFixed(1)}`,
    pass: final.rssMb <= idle.rssMb * 1.1,
  });
  report({ bench: BENCH, metric: `mail appended (1 per simulated second) / stored unread`, value: mailsSent, unit: `mails / ${final.unreadMail - idle.unreadMail} stored`, floor: 'all stored', pass: final.unreadMail - idle.unreadMail === mailsSent });
  report({ bench: BENCH, metric: 'chat messages bob sent to the busy room', value: chatsSent, unit: 'messages' });
  report({ bench: BENCH, metric: `feed polls asked (${FEEDS} feeds × ${SIMULATED_MINUTES} min), answered`, value: feedPolls, unit: `of ${FEEDS * SIMULATED_MINUTES}`, floor: 'all', pass: feedPolls === FEEDS * SIMULATED_MINUTES });
  report({ bench: BENCH, metric: 'feed requests served', value: feedServer.requests.length, unit: 'requests' });
  report({ bench: BENCH, metric: 'accounts not online at the end', value: final.offline.length, unit: 'accounts', floor: '0', pass: final.offline.length === 0 });
  await ask({ ask: 'stop' }).catch(() => undefined);
  child = undefined;

  // The reference: a second hub with Node's defaults on a fresh profile, syncing the same accounts
  // (the keychain of the bench's hubs lives in their process, so a restarted one could not sign in).
  const referenceProfile = mkdtempSync(join(tmpdir(), 'gs-bench-soak-ref-'));
  profiles.push(referenceProfile);
  const reference = fork(new URL('./support/soak-hub.ts', import.meta.url).pathname, [JSON.stringify({ ...setup, profileDir: referenceProfile })], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child = reference;
  const refExited = new Promise<never>((_, reject) => reference.once('exit', (code) => reject(new Error(`the reference hub exited with ${code}`))));
  const refAnswer = <T>(): Promise<T> => Promise.race([new Promise<T>((resolve) => reference.once('message', (m) => resolve(m as T))), refExited]);
  const refAsk = async <T>(message: object): Promise<T> => {
    const answered = refAnswer<T>();
    reference.send(message);
    return answered;
  };
  await refAnswer();
  const refIdle = await syncedAndIdle(refAsk, false);
  process.stderr.write(`soak: reference idle: RSS ${refIdle.rssMb.toFixed(1)} MB (anonymous ${refIdle.anonMb.toFixed(1)}, files ${refIdle.fileMb.toFixed(1)}), heap ${refIdle.heapMb.toFixed(1)} MB\n`);
  const refNote = refIdle.offline.length > 0 ? ` (${refIdle.offline.length} accounts not online: ${refIdle.offline.join(', ')})` : '';
  report({ bench: BENCH, metric: `reference: the same accounts synced and idle in a hub with Node's default heap settings${refNote}`, value: Number(refIdle.rssMb.toFixed(1)), unit: 'MB' });
  await refAsk({ ask: 'stop' }).catch(() => undefined);
} finally {
  if (mailer?.usable) await mailer.logout().catch(() => undefined);
  child?.kill();
  await feedServer.stop();
  await hs.stop();
  await dovecot.stop();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
}

/** Waits until every account is online and the counts stop moving, then 10 s of quiet; returns that sample. */
async function syncedAndIdle(ask: <T>(message: object) => Promise<T>, strict = true): Promise<SoakSample> {
  const deadline = Date.now() + (strict ? 180_000 : 60_000);
  let last = '';
  for (;;) {
    const { sample } = await ask<{ sample: SoakSample }>({ ask: 'sample' });
    const now = `${sample.unreadMail}/${sample.unreadChat}/${sample.unreadFeed}/${sample.offline.length}`;
    // The encrypted rooms hold plaintext from bob, which the inbox does not count as unread; the other 40 rooms are.
    if (sample.offline.length === 0 && sample.unreadChat >= ROOMS - ENCRYPTED_ROOMS && now === last) break;
    if (Date.now() > deadline) {
      if (strict) throw new Error(`the hub did not settle (unread mail/chat/feed/offline ${now})`);
      break; // the reference is weighed as it is; its row says how many accounts were not online
    }
    last = now;
    await sleep(2_000);
  }
  await sleep(10_000);
  return (await ask<{ sample: SoakSample }>({ ask: 'sample' })).sample;
}
