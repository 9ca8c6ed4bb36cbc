/**
 * A damaged `groundswell.sqlite`: garbage over the header is found at open, garbage over pages in
 * the middle when a call reads them. Either way the file (with its -wal/-shm) is moved aside, never
 * deleted, a fresh database is made with the accounts from their copy beside it, every account
 * syncs again from its server, and the user is told once, with the path of the old file.
 */
import { existsSync, openSync, readdirSync, readFileSync, closeSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { feedKind } from '../../src-main/connectors/feeds/kind.ts';
import { profilePaths } from '../../src-main/hub/profile.ts';
import { runCli } from '../support/cli.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { testKeychain } from '../support/keychain.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

const ENTRIES = 2_000;
let server: FeedServer;
const keychain = testKeychain();
let profile: TempProfile;

beforeAll(async () => {
  server = await startFeedServer();
  const entries = statusEntries(ENTRIES).map((e) => ({ ...e, html: `${e.html}<p>${'Incident write-up. '.repeat(40)}</p>` }));
  server.serveFeed('/status.rss', { body: rssFeed(entries), contentType: 'application/rss+xml' });
});
afterAll(async () => {
  await server.stop();
  await keychain.clear();
});
afterEach(() => profile?.remove());

const openHub = () => Hub.open({ profileDir: profile.dir, secrets: keychain.secrets, kinds: [feedKind()] });

/** A profile with one feed account, synced, the hub closed again. */
async function syncedProfile(): Promise<{ accountId: string; name: string; database: string }> {
  profile = tempProfile('gs-damaged-');
  const hub = openHub();
  try {
    const added = await hub.call('accounts.add', { kind: 'feed', input: { url: server.url('/status.rss') } });
    if (!added.ok) throw new Error(added.error.message);
    const synced = await hub.call('sync.once', { accountId: added.value.account.id });
    if (!synced.ok) throw new Error(synced.error.message);
    return { accountId: added.value.account.id, name: added.value.account.displayName, database: profilePaths(profile.dir).database };
  } finally {
    await hub.dispose();
  }
}

function scribble(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

function setAsideFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('groundswell.sqlite.corrupt-'));
}

async function allItems(hub: Hub): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await hub.call('inbox.list', { limit: 500, ...(after ? { after } : {}) });
    if (!page.ok) throw Object.assign(new Error(page.error.message), { code: page.error.code });
    items.push(...page.value.items);
    if (!page.value.next) return items;
    after = page.value.next;
  }
}

describe('a damaged groundswell.sqlite', () => {
  it('with garbage over its header: the CLI sets it aside, says so once, keeps the account and syncs it again', async () => {
    const { accountId, name, database } = await syncedProfile();
    const size = statSync(database).size;
    scribble(database, 0, 100);
    const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);

    const first = await cli('account', 'list', '--json');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^groundswell: Groundswell's database was damaged, so it was moved to .+groundswell\.sqlite\.corrupt-\d{8}T\d{6}Z \(kept, not deleted\)/);
    const listed = JSON.parse(first.stdout) as { account: { id: string; displayName: string } }[];
    expect(listed.map((v) => [v.account.id, v.account.displayName])).toEqual([[accountId, name]]);

    const [moved] = setAsideFiles(profile.dir);
    expect(moved).toBeDefined();
    expect(first.stderr).toContain(join(profile.dir, moved!));
    expect(statSync(join(profile.dir, moved!)).size).toBe(size);
    expect(readFileSync(join(profile.dir, moved!)).subarray(0, 100).every((b) => b === 0xa5)).toBe(true);
    expect(readFileSync(profilePaths(profile.dir).log, 'utf8')).toContain('the database was damaged');

    // Told once: the next command opens the fresh database quietly.
    const second = await cli('sync', '--once');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const inbox = JSON.parse((await cli('inbox', '--json', '--limit', '500')).stdout) as InboxItem[];
    expect(inbox).toHaveLength(500);
    expect(inbox.every((i) => i.accountId === accountId)).toBe(true);
    expect(setAsideFiles(profile.dir)).toEqual([moved]);
  });

  it('with garbage over pages in the middle: the call that meets it says what to do, the next start sets it aside and rebuilds', async () => {
    const { accountId, database } = await syncedProfile();
    const size = statSync(database).size;
    scribble(database, Math.floor(size * 0.3), Math.floor(size * 0.4));

    const hub = openHub();
    let failure: { message: string; code?: string } | undefined;
    try {
      await allItems(hub);
    } catch (error) {
      failure = error as { message: string; code?: string };
    } finally {
      await hub.dispose();
    }
    expect(failure?.code).toBe('profile-damaged');
    expect(failure?.message).toMatch(/^Groundswell's database \(.+groundswell\.sqlite\) is damaged\. Quit and start Groundswell again/);
    expect(setAsideFiles(profile.dir)).toEqual([]);

    const again = openHub();
    try {
      expect(again.notices).toHaveLength(1);
      const notices = await again.call('profile.notices', {});
      expect(notices.ok && notices.value[0]).toMatchObject({ kind: 'database-set-aside', movedTo: expect.stringContaining('groundswell.sqlite.corrupt-') });
      const [moved] = setAsideFiles(profile.dir);
      expect(notices.ok && notices.value[0]?.movedTo).toBe(join(profile.dir, moved!));
      const accounts = await again.call('accounts.list', {});
      expect(accounts.ok && accounts.value.map((v) => v.account.id)).toEqual([accountId]);
      expect(await allItems(again)).toHaveLength(0);
      const synced = await again.call('sync.once', { accountId });
      expect(synced.ok).toBe(true);
      expect(await allItems(again)).toHaveLength(ENTRIES);
    } finally {
      await again.dispose();
    }
    expect(existsSync(`${database}.damaged`)).toBe(false);
  });
});
