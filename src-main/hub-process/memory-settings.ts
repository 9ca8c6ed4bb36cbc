/**
 * How the long-running hub process is started, for memory: the hub idles most of its life, and
 * what costs an idle Node process memory is headroom, not data.
 *
 * - V8's young generation may grow to 2 × 16 MB of semi-space by default; the hub's allocations
 *   are short bursts (a sync batch, a /sync response), so 2 MB semi-spaces cost a few more
 *   scavenges during a sync and save ~25 MB resident for as long as it runs.
 * - glibc gives each thread that calls malloc an arena of its own (SQLite, libuv's pool, the
 *   crypto wasm's workers); two arenas keep freed memory reusable instead of stranded in idle ones.
 *
 * Both must be in place when the process starts: the Electron shell passes them to the hub's
 * utility process, and `serve` re-executes itself once with them (same PID, nothing stays behind).
 * Short CLI commands keep Node's defaults: they live for seconds, and there the big young
 * generation buys speed.
 */
export const HUB_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=2'];
export const HUB_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** Set in the environment once the settings are applied, so the process re-executes at most once. */
const APPLIED = 'GROUNDSWELL_HUB_MEMORY_SETTINGS';

/** `serve`: starts this process again with the hub's settings, unless it already has them or cannot. */
export function relaunchWithHubMemorySettings(process: NodeJS.Process = globalThis.process): void {
  if (process.env[APPLIED] === '1' || process.env['GROUNDSWELL_NODE_DEFAULTS'] === '1') return;
  if (process.platform === 'win32' || typeof process.execve !== 'function') return;
  const execArgv = [...HUB_EXEC_ARGV.filter((flag) => !process.execArgv.some((a) => a.startsWith(flag.split('=')[0]!))), ...process.execArgv];
  process.execve(process.execPath, [process.execPath, ...execArgv, ...process.argv.slice(1)], { ...process.env, ...HUB_ENV, [APPLIED]: '1' });
}
