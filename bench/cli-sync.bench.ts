/**
 * First mail sync as a user runs it: `groundswell sync --once` on a fresh profile with one IMAP account,
 * process start included, beside the cheapest client a user could run instead — a Node process that
 * connects with imapflow and FETCHes envelope + flags of the same messages (its own start included).
 * Both run in the same session, alternating, and the table shows medians. 2,000 messages with the
 * default window, then 20,000 with the window raised (and the peak RSS of both, to show memory stays flat).
 *
 * The CLI uses the OS keychain, so the bench runs itself inside scripts/with-session-bus.ts.
 * `GS_BENCH_PROFILE=DIR` keeps a CPU profile of one sync of each size in DIR (node --cpu-prof).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDovecot } from '../tests/support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../tests/support/dovecot.ts';
import { appendMessages, mailboxFixture } from '../tests/support/mail-fixtures.ts';
import { report } from './report.ts';

const BENCH = 'cli-sync';
const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env['GS_BENCH_RUNS'] ?? 5);
const GOAL = 1.3;

if (!process.env['GS_BENCH_IN_SESSION']) {
  // Re-run inside a private D-Bus session with an unlocked keyring; rows go straight to our stdout.
  const inner = spawnSync(process.execPath, [join(root, 'scripts/with-session-bus.ts'), process.execPath, ...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, GS_BENCH_IN_SESSION: '1' },
  });
  process.exit(inner.status ?? 1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Timed {
  ms: number;
  /** User + system CPU of the process itself: what it costs, whatever else runs on the machine. */
  cpuMs: number;
  rssKb: number;
  stdout: string;
}

/** Runs a Node process to its end: wall time from spawn to exit, and its peak RSS. */
function timed(args: string[], stdin?: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', join(root, 'bench/support/max-rss.mjs'), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin ?? '');
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, cpuMs: Number(/cpu-us (\d+)/.exec(stderr)?.[1] ?? 0) / 1000, rssKb: Number(/max-rss-kb (\d+)/.exec(stderr)?.[1] ?? 0), stdout });
    });
  });
}

async function freshProfile(dovecot: Dovecot, user: DovecotUser, count: number): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'gs-bench-cli-sync-'));
  await timed(
    ['bin/groundswell.js', 'account', 'add', 'imap', '--profile', profile, '--host', dovecot.host, '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--max-messages', String(count), '--window-days', '3650'],
    user.password,
  );
  return profile;
}

const plainScript = join(root, 'bench/support/plain-fetch.mjs');

async function round(count: number): Promise<void> {
  const user: DovecotUser = { user: `bench${count}`, password: 'bench-password' };
  const dovecot = await startDovecot({ users: [user] });
  try {
    process.stderr.write(`cli-sync: appending ${count} messages …\n`);
    // Appended in slices so 20,000 messages never sit in one pipeline at once.
    const fixture = mailboxFixture(count);
    for (let i = 0; i < fixture.length; i += 2_000) await appendMessages(dovecot, user, fixture.slice(i, i + 2_000));
    const plainArgs = [plainScript, dovecot.host, String(dovecot.port), user.user, user.password, String(count)];
    const plain: Timed[] = [];
    const ours: Timed[] = [];
    const load: number[] = [];
    // Warm-up: Dovecot's caches and Node's compile cache, as on any second use of the machine.
    await timed(plainArgs);
    {
      const profile = await freshProfile(dovecot, user, count);
      await timed(['bin/groundswell.js', 'sync', '--once', '--profile', profile]);
      rmSync(profile, { recursive: true, force: true });
    }
    for (let run = 0; run < RUNS; run++) {
      load.push(loadavg()[0] ?? 0);
      plain.push(await timed(plainArgs));
      const profile = await freshProfile(dovecot, user, count);
      try {
        const synced = await timed(['bin/groundswell.js', 'sync', '--once', '--profile', profile, '--json']);
        const stored = (JSON.parse(synced.stdout) as { unread: number }).unread;
        if (stored < count * 0.5) throw new Error(`sync stored ${stored} unread of ${count}`);
        ours.push(synced);
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    }
    const cpuProfileDir = process.env['GS_BENCH_PROFILE'];
    if (cpuProfileDir) {
      const profile = await freshProfile(dovecot, user, count);
      await timed(['--cpu-prof', '--cpu-prof-dir', cpuProfileDir, '--cpu-prof-name', `sync-${count}.cpuprofile`, 'bin/groundswell.js', 'sync', '--once', '--profile', profile]);
      rmSync(profile, { recursive: true, force: true });
    }
    const plainMs = median(plain.map((t) => t.ms));
    const oursMs = median(ours.map((t) => t.ms));
    const n = count.toLocaleString('en-US');
    report({ bench: BENCH, metric: `reference: node + imapflow FETCH ${n} envelopes+flags, process start included (median of ${RUNS})`, value: plainMs, unit: 'ms' });
    report({ bench: BENCH, metric: `sync --once of ${n} mails, fresh profile, process start included (median of ${RUNS})`, value: oursMs, unit: 'ms' });
    report({ bench: BENCH, metric: `sync --once ${n} ÷ plain FETCH`, value: oursMs / plainMs, unit: '×', floor: `≤ ${GOAL}×`, pass: oursMs / plainMs <= GOAL });
    const plainCpu = median(plain.map((t) => t.cpuMs));
    const oursCpu = median(ours.map((t) => t.cpuMs));
    report({ bench: BENCH, metric: `reference: plain FETCH ${n}, CPU time of the process (user + system)`, value: plainCpu, unit: 'ms' });
    report({ bench: BENCH, metric: `sync --once ${n}, CPU time of the process (user + system)`, value: oursCpu, unit: 'ms' });
    report({ bench: BENCH, metric: `sync --once ${n} ÷ plain FETCH, CPU time`, value: oursCpu / plainCpu, unit: '×' });
    report({ bench: BENCH, metric: `reference: plain FETCH ${n}, peak RSS`, value: Math.max(...plain.map((t) => t.rssKb)) / 1024, unit: 'MB' });
    report({ bench: BENCH, metric: `sync --once ${n}, peak RSS`, value: Math.max(...ours.map((t) => t.rssKb)) / 1024, unit: 'MB' });
    report({ bench: BENCH, metric: `load average (1 min) during the ${n} runs, median`, value: median(load), unit: '' });
  } finally {
    await dovecot.stop();
  }
}

const sizes = (process.env['GS_BENCH_SIZES'] ?? '2000,20000').split(',').map(Number);
for (const size of sizes) await round(size);
