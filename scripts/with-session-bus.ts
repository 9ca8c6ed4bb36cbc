/**
 * Runs a command where the OS keychain works: inside the user's D-Bus session when it has a
 * Secret Service, else in a private `dbus-run-session` with an unlocked gnome-keyring (CI, servers).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node scripts/with-session-bus.ts COMMAND [ARGS…]');
  process.exit(1);
}

const useOwnSession = process.platform !== 'linux' || process.env['GROUNDSWELL_USE_SESSION_KEYRING'] === '1';
if (useOwnSession) process.exit(run(command[0]!, command.slice(1)));

for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    console.error(`${tool} is missing: the keychain tests need it. Install it with: sudo apt-get install dbus gnome-keyring`);
    process.exit(1);
  }
}
const unlock = randomBytes(16).toString('hex');
// A throwaway keyring in a temp folder, unlocked with a throwaway password: the user's own
// keyrings are never touched, and everything is gone when the session ends.
const keyringHome = mkdtempSync(join(tmpdir(), 'gs-keyring-'));
const script =
  'printf %s "$GS_KEYRING_UNLOCK" | XDG_DATA_HOME="$GS_KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ' +
  'unset GS_KEYRING_UNLOCK GS_KEYRING_HOME; exec "$@"';
const status = run('dbus-run-session', ['--', 'sh', '-c', script, 'sh', ...command], {
  ...process.env,
  GS_KEYRING_UNLOCK: unlock,
  GS_KEYRING_HOME: keyringHome,
});
rmSync(keyringHome, { recursive: true, force: true });
process.exit(status);

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(file, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  return result.status ?? 1;
}
