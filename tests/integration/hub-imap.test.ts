/**
 * The whole path through the hub with a real Dovecot and the real keychain: the CLI adds an
 * account, syncs, reads and searches; a live hub follows new mail; and no byte of the password
 * ever lands in the profile directory or the logs.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { runCli } from '../support/cli.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { appendMessages, mailboxFixture, realisticMessages, serverFlags } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('hub + CLI against a real Dovecot', () => {
  // A password that cannot occur by chance, so finding it anywhere means it leaked.
  const user: DovecotUser = { user: 'carol', password: `canary-${randomBytes(12).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let accountId = '';
  const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(40));
  });

  afterAll(async () => {
    if (accountId) await cli('account', 'remove', accountId);
    await dovecot?.stop();
    profile.remove();
  });

  const addArgs = () => ['account', 'add', 'imap', '--name', 'Work mail', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--profile', profile.dir];

  it('refuses a wrong password with exit code 2 and no secret in the message', async () => {
    const run = await runCli(addArgs(), { stdin: 'wrong-password-xyz\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/authentication failed/i);
    expect(run.stderr).not.toContain('wrong-password-xyz');
    expect(JSON.parse((await cli('account', 'list', '--json')).stdout)).toEqual([]);
  });

  it('adds an account after logging in, keeping the password in the keychain', async () => {
    const run = await runCli([...addArgs(), '--json'], { stdin: user.password + '\n' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    accountId = JSON.parse(run.stdout).account.id;
    const list = JSON.parse((await cli('account', 'list', '--json')).stdout);
    expect(list).toHaveLength(1);
    expect(list[0].account.settings).toMatchObject({ host: '127.0.0.1', user: 'carol', security: 'plain' });
    expect(JSON.stringify(list)).not.toContain(user.password);
  });

  it('syncs once, lists, marks read on the server and searches', async () => {
    const sync = await cli('sync', '--once');
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    const items = JSON.parse((await cli('inbox', '--json', '--limit', '100')).stdout) as InboxItem[];
    expect(items).toHaveLength(40);
    const timestamps = items.map((i) => i.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => b - a));

    const target = items.find((i) => i.unread && i.origin.kind === 'mail')!;
    expect(target).toBeDefined();
    expect((await cli('read', target.id)).code).toBe(0);
    const uid = target.origin.kind === 'mail' ? target.origin.uid : 0;
    expect((await serverFlags(dovecot, user, uid)).has('\\Seen')).toBe(true);
    expect((await cli('unread', target.id)).code).toBe(0);
    expect((await serverFlags(dovecot, user, uid)).has('\\Seen')).toBe(false);

    const word = target.title.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w))!;
    const found = JSON.parse((await cli('search', word, '--json')).stdout) as InboxItem[];
    expect(found.map((i) => i.id)).toContain(target.id);

    const unreadRun = await cli('inbox', '--json', '--unread', '--limit', '100');
    expect(unreadRun.stderr).toBe('');
    const unreadOnly = JSON.parse(unreadRun.stdout) as InboxItem[];
    expect(unreadOnly.every((i) => i.unread)).toBe(true);
    expect((await cli('inbox', '--source', 'fax')).code).toBe(1);
  });

  it('follows new mail live once the hub runs', async () => {
    const hub = Hub.open({ profileDir: profile.dir });
    try {
      const changed: string[] = [];
      hub.on((event, payload) => {
        if (event === 'inbox.changed') changed.push(...(payload as { accountIds: string[] }).accountIds);
      });
      hub.startConnectors();
      await eventually('the account to come online', async () => {
        const accounts = await hub.call('accounts.list', {});
        return accounts.ok && accounts.value[0]?.status.state === 'online';
      });
      await appendMessages(dovecot, user, realisticMessages(1, new Date()));
      await eventually('the new message in the inbox', async () => {
        const page = await hub.call('inbox.list', { limit: 100 });
        return page.ok && page.value.items.length === 41;
      });
      // Changes reach clients as one coalesced event shortly after the store has them.
      await eventually('an inbox.changed event for the account', async () => changed.includes(accountId));
    } finally {
      await hub.dispose();
    }
  });

  it('never writes the password into the profile directory or the logs', () => {
    const needle = Buffer.from(user.password);
    const files = filesUnder(profile.dir);
    expect(files.some((f) => f.endsWith('hub.log'))).toBe(true);
    for (const file of files) {
      expect(readFileSync(file).includes(needle), `password found in ${file}`).toBe(false);
    }
  });
});

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
