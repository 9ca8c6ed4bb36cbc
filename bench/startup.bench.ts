/**
 * What a user waits for before anything happens: `groundswell account list` on an empty profile,
 * process start included, beside a bare `node -e 0`; and the hub's resident memory with one IMAP
 * account of 2,000 messages synced and idle, in a process of its own as the app runs it.
 */
import { fork, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../tests/support/dovecot.ts';
import { appendMessages, mailboxFixture } from '../tests/support/mail-fixtures.ts';
import { HUB_ENV, HUB_EXEC_ARGV } from '../src-main/hub-process/memory-settings.ts';
import { percentile, report } from './report.ts';

const BENCH = 'startup';
const RUNS = 15;
const MESSAGES = 2_000;

function measure(args: string[]): { wallMs: number; rssKb: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', new URL('./support/max-rss.mjs', import.meta.url).pathname, ...args], { encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return { wallMs, rssKb: Number(/max-rss-kb (\d+)/.exec(run.stderr)?.[1] ?? 0) };
}

function series(args: string[]): { wall: number; rss: number } {
  measure(args); // the compile cache is warm after a first run, as on any second use of the app
  const runs = Array.from({ length: RUNS }, () => measure(args));
  return { wall: percentile(runs.map((r) => r.wallMs).sort((a, b) => a - b), 50), rss: Math.max(...runs.map((r) => r.rssKb)) / 1024 };
}

const profile = mkdtempSync(join(tmpdir(), 'gs-bench-startup-'));
try {
  const bare = series(['-e', '0']);
  const list = series(['bin/groundswell.js', 'account', 'list', '--profile', profile]);
  report({ bench: BENCH, metric: 'reference: node -e 0, wall p50', value: bare.wall, unit: 'ms' });
  report({ bench: BENCH, metric: 'reference: node -e 0, peak RSS', value: bare.rss, unit: 'MB' });
  report({ bench: BENCH, metric: 'account list, empty profile, process start included, wall p50', value: list.wall, unit: 'ms', floor: '≤ 150 ms (was 700–840)', pass: list.wall <= 150 });
  report({ bench: BENCH, metric: 'account list, empty profile, peak RSS', value: list.rss, unit: 'MB', floor: '≤ 80 MB (was 164)', pass: list.rss <= 80 });
} finally {
  rmSync(profile, { recursive: true, force: true });
}

const dovecot = await startDovecot();
try {
  const user = dovecot.users[0]!;
  await appendMessages(dovecot, user, mailboxFixture(MESSAGES));
  process.stderr.write('startup: mailbox ready\n');
  // Node's defaults first, as the reference, then the settings the app and `serve` start the hub with.
  const defaults = await hubRss(user, { execArgv: [], env: {} });
  const shipped = await hubRss(user, { execArgv: [...HUB_EXEC_ARGV], env: { ...HUB_ENV } });
  const n = MESSAGES.toLocaleString('en-US');
  report({ bench: BENCH, metric: `reference: hub process RSS, ${n} IMAP messages synced and idle, Node's default heap settings`, value: defaults / 1024, unit: 'MB' });
  report({ bench: BENCH, metric: `hub process RSS, ${n} IMAP messages synced and idle (${[...HUB_EXEC_ARGV, ...Object.entries(HUB_ENV).map(([k, v]) => `${k}=${v}`)].join(' ')})`, value: shipped / 1024, unit: 'MB', floor: '≤ 100 MB', pass: shipped / 1024 <= 100 });
} finally {
  await dovecot.stop();
}

/** One hub process of its own, as the app runs it: adds the account, syncs it, idles, reports its RSS in kB. */
async function hubRss(user: { user: string; password: string }, settings: { execArgv: string[]; env: Record<string, string> }): Promise<number> {
  const hubProfile = mkdtempSync(join(tmpdir(), 'gs-bench-hub-'));
  let child: ChildProcess | undefined;
  try {
    child = fork(new URL('./support/hub-child.ts', import.meta.url).pathname, [hubProfile, dovecot.host, String(dovecot.port), user.user, user.password], {
      execArgv: ['--expose-gc', ...settings.execArgv],
      env: { ...process.env, ...settings.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`the hub process exited with ${code}`))));
    const answer = <T>(): Promise<T> => Promise.race([new Promise<T>((resolve) => child!.once('message', (m) => resolve(m as T))), exited]);
    const ask = <T>(message: object): Promise<T> => {
      const answered = answer<T>();
      child!.send(message);
      return answered;
    };
    process.stderr.write(`startup: ${MESSAGES} messages in Dovecot; starting the hub process\n`);
    await answer();
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { counts, state } = await ask<{ counts: number; state: string }>({ ask: 'counts' });
      if (state === 'online' && counts === MESSAGES) break;
      if (Date.now() > deadline) throw new Error(`the hub did not finish syncing (${counts} of ${MESSAGES}, ${state})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 3_000)); // idle: IDLE is up, the search index caught up
    const { rssKb, anonKb, fileKb, heapMb, externalMb } = await ask<{ rssKb: number; anonKb: number; fileKb: number; heapMb: number; externalMb: number }>({ ask: 'rss' });
    process.stderr.write(`startup: hub RSS ${rssKb} kB = anonymous ${anonKb} + file-backed ${fileKb}; JS heap ${heapMb.toFixed(1)} MB, external ${externalMb.toFixed(1)} MB\n`);
    await ask({ ask: 'stop' }).catch(() => undefined);
    return rssKb;
  } finally {
    child?.kill();
    rmSync(hubProfile, { recursive: true, force: true });
  }
}
