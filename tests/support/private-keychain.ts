/**
 * A keychain of the test's own that it can lock, stop and start again: a private D-Bus session bus
 * (with no service activation, so a stopped keychain stays stopped instead of coming back empty)
 * and a gnome-keyring-daemon on it, unlocked with a throwaway password. The shared keychain of
 * scripts/with-session-bus.ts is never touched; this process's DBUS_SESSION_BUS_ADDRESS points here
 * until `close()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeychainSecretStore } from '../../src-main/secrets/secret-store.ts';
import type { SecretStore } from '../../src-main/secrets/secret-store.ts';

export interface PrivateKeychain {
  service: string;
  secrets: SecretStore;
  /** Locks the default collection over the Secret Service API, as the screen lock or a user would. */
  lock(): void;
  /** Stops the keychain daemon: the Secret Service is gone from the bus. */
  stop(): Promise<void>;
  /** Starts it again, unlocked, with the same keyring files. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

async function ended(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exit;
}

export async function privateKeychain(): Promise<PrivateKeychain> {
  const dir = mkdtempSync(join(tmpdir(), 'gs-private-keychain-'));
  const socket = join(dir, 'bus');
  const address = `unix:path=${socket}`;
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>${address}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n`,
  );
  const bus = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork'], { stdio: 'ignore' });
  await until(() => existsSync(socket), 'the private session bus');
  const previousAddress = process.env['DBUS_SESSION_BUS_ADDRESS'];
  process.env['DBUS_SESSION_BUS_ADDRESS'] = address;

  const data = join(dir, 'data');
  mkdirSync(data);
  const unlock = randomBytes(16).toString('hex');
  let daemon: ChildProcess | undefined;
  const owned = () =>
    spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], {
      encoding: 'utf8',
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
    }).stdout.includes('boolean true');
  const start = async () => {
    daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: data },
    });
    daemon.stdin?.end(unlock);
    await until(owned, 'gnome-keyring on the private bus');
  };
  const stop = async () => {
    await ended(daemon);
    await until(() => !owned(), 'gnome-keyring to leave the bus');
  };
  await start();

  const service = `Groundswell-test-${randomUUID()}`;
  return {
    service,
    secrets: createKeychainSecretStore(service),
    lock: () => {
      const run = spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], {
        encoding: 'utf8',
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
      });
      if (run.status !== 0) throw new Error(`could not lock the keychain: ${run.stderr}`);
    },
    stop,
    start,
    close: async () => {
      await ended(daemon);
      await ended(bus);
      if (previousAddress === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
      else process.env['DBUS_SESSION_BUS_ADDRESS'] = previousAddress;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
