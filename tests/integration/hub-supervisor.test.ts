/**
 * The hub in its own process, as the Electron app runs it: the supervisor forks the real
 * src-main/hub-process/child.ts (child_process.fork standing in for utilityProcess.fork) on a temp
 * profile with a real Dovecot account, and the test SIGKILLs the child in the middle of the
 * account's first sync. The supervisor must say so, start a new child on the same profile (the dead
 * child's lock must not stop it), fail the call that was running, answer the one made meanwhile,
 * and the sync must finish with every message exactly once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, InboxPage } from '../../src-shared/api.ts';
import type { AccountStatus, AccountView, InboxItem } from '../../src-shared/domain.ts';
import type { Result } from '../../src-shared/result.ts';
import { profilePaths, readLock } from '../../src-main/hub/profile.ts';
import { hubProcessArgs } from '../../src-main/hub-process/protocol.ts';
import { HubSupervisor, INTERRUPTED_MESSAGE, RESTARTING_MESSAGE } from '../../src-main/hub-process/supervisor.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { forkWithNode } from '../support/hub-process-fork.ts';
import type { ForkedHubProcess } from '../support/hub-process-fork.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { waitUntil } from '../support/sdk-peer.ts';

const CHILD = 'src-main/hub-process/child.ts';
/** Enough mail that the first sync runs for many batches, so the kill lands in the middle of it. */
const MESSAGES = 3000;

describe('the hub process under its supervisor', () => {
  const user: DovecotUser = { user: 'dana', password: `pw-${randomBytes(10).toString('hex')}` };
  const profile = tempProfile();
  const children: ForkedHubProcess[] = [];
  const events: { name: EventName; payload: unknown }[] = [];
  let dovecot: Dovecot;
  let supervisor: HubSupervisor;

  const value = <T>(result: Result<unknown>): T => {
    if (!result.ok) throw new Error(`call failed: ${result.error.code}: ${result.error.message}\n${children.map((c) => c.output()).join('\n')}`);
    return result.value as T;
  };
  const statuses = () => events.filter((e) => e.name === 'service.status').map((e) => e.payload);

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, realisticMessages(MESSAGES, new Date()));
    supervisor = new HubSupervisor({
      fork: (modulePath, args) => {
        const child = forkWithNode(modulePath, args);
        children.push(child);
        return child;
      },
      modulePath: CHILD,
      args: hubProcessArgs({ profileDir: profile.dir, uiDir: join(profile.dir, 'no-ui') }),
    });
    supervisor.on((name, payload) => events.push({ name, payload }));
    supervisor.start();
  }, 120_000);

  afterAll(async () => {
    await supervisor?.stop();
    for (const child of children) if (child.pid !== undefined) signal(child.pid, 'SIGKILL');
    await dovecot?.stop();
    profile.remove();
  });

  it('restarts the hub after a SIGKILL mid-sync, without resending or losing a call, and the sync finishes exactly once', async () => {
    const added = value<AccountView>(
      await supervisor.call('accounts.add', {
        kind: 'imap',
        input: {
          displayName: 'Mail under test',
          host: '127.0.0.1',
          port: dovecot.port,
          security: 'plain',
          user: user.user,
          password: user.password,
          // All of it, so the first sync is long (the default takes the newest 2000).
          syncMaxMessages: MESSAGES,
        },
      }),
    );
    const accountId = added.account.id;
    const first = children[0]!;

    await waitUntil('the first sync to be part-way', () =>
      events.some((e) => {
        if (e.name !== 'account.status') return false;
        const { connection } = e.payload as AccountStatus;
        return connection.state === 'syncing' && connection.done >= 500 && connection.done < connection.total;
      }),
    );
    // sync.once waits for the running first sync, so it is certainly unanswered when the child dies.
    const inFlight = supervisor.call('sync.once', { accountId });
    signal(first.pid!, 'SIGKILL');

    await waitUntil('the supervisor to notice', () => supervisor.status.state === 'restarting');
    const meanwhile = supervisor.call('accounts.list', {});
    expect(await inFlight).toEqual({ ok: false, error: { code: 'connection-failed', message: INTERRUPTED_MESSAGE } });
    const accounts = value<AccountView[]>(await meanwhile);
    expect(accounts.map((a) => a.account.id)).toEqual([accountId]);
    expect(statuses()).toEqual([{ state: 'running' }, { state: 'restarting', message: RESTARTING_MESSAGE }, { state: 'running' }]);

    const second = children[1]!;
    expect(children).toHaveLength(2);
    // The dead child's lock was taken over, and the new one advertises its own endpoint to the CLI.
    expect(readLock(profilePaths(profile.dir).lock)).toMatchObject({ pid: second.pid, endpoint: { port: expect.any(Number) } });

    await waitUntil(
      'the sync to finish in the new process',
      async () => {
        const list = value<AccountView[]>(await supervisor.call('accounts.list', {}));
        return list[0]?.status.state === 'online';
      },
      120_000,
    );
    expect(value<{ accounts: number }>(await supervisor.call('sync.once', { accountId }))).toEqual({ accounts: 1 });

    const items = await allItems(supervisor);
    expect(items).toHaveLength(MESSAGES);
    expect(new Set(items.map((i) => i.id)).size).toBe(MESSAGES);
    const uids = items.map((i) => (i.origin.kind === 'mail' ? i.origin.uid : -1));
    expect(new Set(uids).size).toBe(MESSAGES);
    expect(Math.min(...uids)).toBe(1);
    expect(Math.max(...uids)).toBe(MESSAGES);

    value(await supervisor.call('accounts.remove', { accountId }));
  });

  it('shuts the hub process down cleanly: it exits and releases the profile', async () => {
    const last = children.at(-1)!;
    const exited = new Promise<number>((resolve) => last.on('exit', resolve));
    await supervisor.stop();
    expect(await exited).toBe(0);
    expect(existsSync(profilePaths(profile.dir).lock)).toBe(false);
    expect(await supervisor.call('inbox.counts', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

async function allItems(supervisor: HubSupervisor): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  let after: string | undefined;
  do {
    const result = await supervisor.call('inbox.list', after === undefined ? { limit: 500 } : { limit: 500, after });
    if (!result.ok) throw new Error(result.error.message);
    const page = result.value as InboxPage;
    items.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return items;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
