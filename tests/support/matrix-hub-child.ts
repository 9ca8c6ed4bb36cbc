/**
 * Alice's Groundswell hub in a process of its own, so that tests can SIGKILL it in the middle of a
 * session and start it again on the same profile (tests/integration/e2ee-crash.test.ts). It opens
 * the hub as the app does (the real keychain, under the test's service name; the Matrix connector
 * with its durable crypto store), starts the connectors and then answers hub calls over stdin.
 *
 *   node tests/support/matrix-hub-child.ts PROFILE_DIR KEYCHAIN_SERVICE
 *
 * stdout, one line each (pipes are written synchronously on Linux, so a line is out before the
 * next thing happens):
 *   READY {"pid":…,"openMs":…}       the hub is open and its connectors are starting
 *   EVENT {"name":…,"payload":…}      an account.status or security.changed event of the hub
 *   RESULT <id> <json>                the answer to call <id>: the hub's Result ({ok, value|error})
 * stdin, one line each:
 *   <id> <call name> <json params>    e.g. `7 chat.timeline {"itemId":"…","older":true}`
 *   <id> dispose                      a clean quit, as the app's: the hub stops its connectors (the
 *                                     sync state is saved, the crypto store snapshotted), then
 *                                     `RESULT <id> {"ok":true}` and the process exits
 *
 * It listens on nothing: the only sockets are the hub's own to the homeserver and the keychain's
 * D-Bus connection. It never exits by itself; the test ends it by PID.
 */
import { createInterface } from 'node:readline';
import type { CallName, CallParams } from '../../src-shared/api.ts';
import { matrixKind } from '../../src-main/connectors/matrix/kind.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { createKeychainSecretStore } from '../../src-main/secrets/secret-store.ts';

const [profileDir, keychainService] = process.argv.slice(2);
if (profileDir === undefined || keychainService === undefined) throw new Error('usage: matrix-hub-child.ts PROFILE_DIR KEYCHAIN_SERVICE');

/** The events a test waits on; the inbox and chat change events would only be noise here. */
const FORWARDED_EVENTS = new Set(['account.status', 'security.changed']);

const write = (line: string) => process.stdout.write(`${line}\n`);

const started = performance.now();
const hub = Hub.open({ profileDir, secrets: createKeychainSecretStore(keychainService), kinds: [matrixKind] });
hub.on((name, payload) => {
  if (FORWARDED_EVENTS.has(name)) write(`EVENT ${JSON.stringify({ name, payload })}`);
});
hub.startConnectors();
write(`READY ${JSON.stringify({ pid: process.pid, openMs: Math.round(performance.now() - started) })}`);

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  const match = /^(\S+) (\S+) ?(.*)$/.exec(line);
  if (!match) return;
  const [, id, name, params] = match as unknown as [string, string, CallName | 'dispose', string];
  if (name === 'dispose') {
    void hub.dispose().finally(() => {
      write(`RESULT ${id} ${JSON.stringify({ ok: true, value: null })}`);
      process.exit(0);
    });
    return;
  }
  let parsed: unknown;
  try {
    parsed = params === '' ? {} : JSON.parse(params);
  } catch (error) {
    write(`RESULT ${id} ${JSON.stringify({ ok: false, error: { code: 'invalid-input', message: `bad params: ${String(error)}` } })}`);
    return;
  }
  void hub.call(name, parsed as CallParams<typeof name>).then(
    (result) => write(`RESULT ${id} ${JSON.stringify(result)}`),
    (error: unknown) => write(`RESULT ${id} ${JSON.stringify({ ok: false, error: { code: 'internal', message: String(error) } })}`),
  );
});
// The parent went away without killing us (a crashed test run): leave no hub behind.
input.on('close', () => process.exit(0));
