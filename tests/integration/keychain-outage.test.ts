/**
 * The keychain goes away under a running hub with a real IMAP account: locked, stopped, or its
 * entry replaced or deleted. Each time the account shows "Sign in again" (auth-failed) with the
 * reason in words; a locked or stopped keychain brings the account back by itself once it works,
 * a wrong or missing entry through Sign in again. The password is never written anywhere else.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, mailboxFixture } from '../support/mail-fixtures.ts';
import { privateKeychain, type PrivateKeychain } from '../support/private-keychain.ts';
import { tempProfile } from '../support/profile.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a running hub when the keychain is locked, stopped or changed', () => {
  const user: DovecotUser = { user: 'dana', password: `canary-${randomBytes(12).toString('hex')}` };
  const profile = tempProfile('gs-keychain-outage-');
  let dovecot: Dovecot;
  let keychain: PrivateKeychain;
  let hub: Hub;
  let accountId = '';
  const statuses: ConnectionState[] = [];

  beforeAll(async () => {
    keychain = await privateKeychain();
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(5));
    hub = Hub.open({ profileDir: profile.dir, secrets: keychain.secrets });
    hub.on((name, payload) => {
      const status = payload as { accountId: string; connection: ConnectionState };
      if (name === 'account.status' && status.accountId === accountId) statuses.push(status.connection);
    });
    const added = await hub.call('accounts.add', {
      kind: 'imap',
      input: { host: '127.0.0.1', port: dovecot.port, security: 'plain', user: user.user, password: user.password },
    });
    if (!added.ok) throw new Error(added.error.message);
    accountId = added.value.account.id;
    hub.startConnectors();
  });

  afterAll(async () => {
    await hub?.dispose();
    await dovecot?.stop();
    await keychain?.close();
    profile.remove();
  });

  /** Waits for the account's status to satisfy `check` (the first that does since `from`). */
  async function statusWhere(check: (s: ConnectionState) => boolean, from: number): Promise<ConnectionState> {
    for (;;) {
      const found = statuses.slice(from).find(check);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const online = (from: number) => statusWhere((s) => s.state === 'online', from);
  const signInAgain = (from: number) => statusWhere((s) => s.state === 'auth-failed', from);

  it('connects with the password from the keychain', async () => {
    await online(0);
  });

  it('locked: Sign in again, "the system keychain is locked", and back by itself once unlocked', async () => {
    keychain.lock();
    const mark = statuses.length;
    // The connection drops; the reconnect needs the password again.
    await dovecot.restart();
    const failed = await signInAgain(mark);
    expect(failed).toMatchObject({ reason: expect.stringMatching(/^The system keychain is locked, so Groundswell cannot read the account's password\. Unlock it/) });
    const listed = await hub.call('accounts.list', {});
    expect(listed.ok && listed.value[0]?.status.state).toBe('auth-failed');
    // Unlocking (here: the daemon starts again with its unlock password) is all the user does.
    const back = statuses.length;
    await keychain.stop();
    await keychain.start();
    await online(back);
  });

  it('not running: Sign in again, "not running", and back by itself once it runs', async () => {
    await keychain.stop();
    const mark = statuses.length;
    await dovecot.restart();
    const failed = await signInAgain(mark);
    expect(failed).toMatchObject({ reason: expect.stringMatching(/^The system keychain is not available: it is not running/) });
    const back = statuses.length;
    await keychain.start();
    await online(back);
  });

  it('the entry replaced by another password: Sign in again with the server\'s refusal, fixed by Sign in again', async () => {
    await keychain.secrets.setPassword(accountId, 'not-the-password');
    const mark = statuses.length;
    await dovecot.restart();
    expect(await signInAgain(mark)).toMatchObject({ reason: expect.stringMatching(/^Authentication failed/) });
    const back = statuses.length;
    const signedIn = await hub.call('accounts.updatePassword', { accountId, password: user.password });
    expect(signedIn.ok).toBe(true);
    await online(back);
    expect(await keychain.secrets.getPassword(accountId)).toBe(user.password);
  });

  it('the entry deleted: Sign in again, "missing from the system keychain", fixed by Sign in again', async () => {
    await keychain.secrets.deletePassword(accountId);
    const mark = statuses.length;
    await dovecot.restart();
    expect(await signInAgain(mark)).toMatchObject({ reason: expect.stringMatching(/missing from the system keychain\. Choose Sign in again/) });
    const back = statuses.length;
    expect((await hub.call('accounts.updatePassword', { accountId, password: user.password })).ok).toBe(true);
    await online(back);
  });

  it('never wrote the password into the profile or its log', () => {
    const files = filesUnder(profile.dir);
    expect(files.some((f) => f.endsWith('hub.log'))).toBe(true);
    for (const file of files) expect(readFileSync(file).includes(user.password), file).toBe(false);
    expect(JSON.stringify(statuses)).not.toContain(user.password);
  });
});
