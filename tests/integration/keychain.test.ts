import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { testKeychain } from '../support/keychain.ts';

describe('SecretStore on the real keychain (gnome-keyring over D-Bus)', () => {
  const keychain = testKeychain();
  afterEach(() => keychain.clear());

  it('sets, reads, lists and deletes a password', async () => {
    const { secrets } = keychain;
    expect(await secrets.getPassword('acct-1')).toBeNull();
    await secrets.setPassword('acct-1', 'pä$$wörd with spaces');
    await secrets.setPassword('acct-2', 'second');
    expect(await secrets.getPassword('acct-1')).toBe('pä$$wörd with spaces');
    const found = await secrets.findCredentials();
    expect(found.map((c) => c.account).sort()).toEqual(['acct-1', 'acct-2']);
    await secrets.setPassword('acct-1', 'replaced');
    expect(await secrets.getPassword('acct-1')).toBe('replaced');
    expect(await secrets.deletePassword('acct-1')).toBe(true);
    expect(await secrets.getPassword('acct-1')).toBeNull();
  });

  it('says plainly that no keychain is available, and never falls back to plaintext', () => {
    // A child process with no session bus: the Secret Service cannot be reached.
    const script = `
      const { createKeychainSecretStore } = await import('./src-main/secrets/secret-store.ts');
      try {
        await createKeychainSecretStore('Groundswell-test-nobus').setPassword('a', 'hunter2-secret');
        console.log('STORED');
      } catch (error) {
        console.log(error.name + ': ' + error.message);
      }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    expect(run.stdout).toContain('KeychainUnavailableError');
    expect(run.stdout).toContain('system keychain is not available');
    expect(run.stdout).toContain('gnome-keyring');
    expect(run.stdout).not.toContain('hunter2-secret');
    expect(run.stdout).not.toContain('STORED');
  });
});
