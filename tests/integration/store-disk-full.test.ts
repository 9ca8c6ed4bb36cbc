/**
 * The disk holding the profile fills up: the store says so in words, keeps every committed batch
 * intact (integrity check) and takes the next batch once there is room; through the hub, a feed
 * sync fails with that message, the account's status says it, and the next sync lands everything.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvents } from '../../src-shared/api.ts';
import type { ConnectionState } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { feedKind } from '../../src-main/connectors/feeds/kind.ts';
import { profilePaths } from '../../src-main/hub/profile.ts';
import { InboxStore, type NewItem } from '../../src-main/store/inbox-store.ts';
import { StoreError } from '../../src-main/store/store-error.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { testKeychain } from '../support/keychain.ts';
import { smallDisk, type SmallDisk } from '../support/small-disk.ts';

const FULL = /^The disk holding your Groundswell profile \(.+\) is full, so new mail, messages and changes cannot be saved\. Free some space/;

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

function itemCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM items').pluck().get() as number;
  } finally {
    db.close();
  }
}

function mail(n: number): NewItem {
  return {
    id: `acct:${n}`, accountId: 'acct', externalId: String(n), scope: 'INBOX', source: 'mail', conversationKey: `c${n % 500}`,
    sender: `Sender ${n % 97} <s${n % 97}@example.com>`, title: `Subject number ${n} about the quarterly report`,
    snippet: `Hello, this is message ${n}. `.repeat(6), searchText: `body text of message ${n}`, timestamp: 1_700_000_000_000 + n * 1000,
    unread: true, priority: false, origin: { kind: 'mail', mailbox: 'INBOX', uid: n, uidValidity: 1 },
  };
}

let disk: SmallDisk | undefined;
let opened: InboxStore | undefined;
afterEach(() => {
  opened?.close();
  opened = undefined;
  disk?.remove();
  disk = undefined;
});

describe('the store on a disk that fills during a 100k ingest', () => {
  it('refuses the batch that does not fit with a message that says what to do, keeps the rest intact, and resumes once there is room', () => {
    disk = smallDisk(8);
    const path = join(disk.dir, 'groundswell.sqlite');
    const store = InboxStore.open(path);
    opened = store;
    store.insertAccount({ id: 'acct', kind: 'imap', displayName: 'Mail', createdAt: 1, settings: {}, settingsVersion: 1 });
    const BATCH = 1_000;
    const TOTAL = 100_000;
    let next = 0;
    let refusal: unknown;
    try {
      for (; next < TOTAL; next += BATCH) store.upsertItems(Array.from({ length: BATCH }, (_, i) => mail(next + i)));
    } catch (error) {
      refusal = error;
    }
    expect(next).toBeLessThan(TOTAL);
    expect(refusal).toBeInstanceOf(StoreError);
    expect((refusal as StoreError).code).toBe('disk-full');
    expect((refusal as StoreError).message).toMatch(FULL);
    // Whole batches only: the refused one left nothing behind.
    expect(store.unreadCounts().all).toBe(next);
    expect(integrity(path)).toBe('ok');

    disk.grow(256);
    for (; next < TOTAL; next += BATCH) store.upsertItems(Array.from({ length: BATCH }, (_, i) => mail(next + i)));
    expect(store.unreadCounts().all).toBe(TOTAL);
    store.close();
    expect(integrity(path)).toBe('ok');
  });
});

describe('a feed sync through the hub when the profile disk fills', () => {
  let server: FeedServer;
  const keychain = testKeychain();
  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server.stop();
    await keychain.clear();
  });

  it('fails the sync and sets the account status with the disk-full message, then the next sync lands every entry', async () => {
    const ENTRIES = 3_000;
    const entries = statusEntries(ENTRIES).map((e) => ({ ...e, html: `${e.html}<p>${'Long incident write-up. '.repeat(120)}</p>` }));
    server.serveFeed('/status.rss', { body: rssFeed(entries), contentType: 'application/rss+xml' });
    disk = smallDisk(4);
    const hub = Hub.open({ profileDir: disk.dir, secrets: keychain.secrets, kinds: [feedKind()] });
    try {
      const added = await hub.call('accounts.add', { kind: 'feed', input: { url: server.url('/status.rss') } });
      if (!added.ok) throw new Error(added.error.message);
      const accountId = added.value.account.id;

      // The running app: the live connector's first poll meets the full disk.
      const refused = new Promise<HubEvents['account.status']>((resolve) =>
        hub.on((name, payload) => {
          const status = payload as HubEvents['account.status'];
          if (name === 'account.status' && status.connection.state === 'offline') resolve(status);
        }),
      );
      hub.startConnectors();
      expect((await refused).connection).toMatchObject({ state: 'offline', reason: expect.stringMatching(FULL) });
      const listed = await hub.call('accounts.list', {});
      const status = listed.ok ? listed.value.find((v) => v.account.id === accountId)?.status : undefined;
      expect(status).toMatchObject({ state: 'offline', reason: expect.stringMatching(FULL) });
      // A sync asked for while the disk is full answers with the same words.
      const sync = await hub.call('sync.once', { accountId });
      expect(sync.ok).toBe(false);
      expect(!sync.ok && sync.error.code).toBe('disk-full');
      expect(!sync.ok && sync.error.message).toMatch(FULL);
      expect(integrity(profilePaths(disk.dir).database)).toBe('ok');
      expect(itemCount(profilePaths(disk.dir).database)).toBe(0);

      disk.grow(128);
      const again = await hub.call('sync.once', { accountId });
      expect(again.ok).toBe(true);
      expect(itemCount(profilePaths(disk.dir).database)).toBe(ENTRIES);
      const after = await hub.call('accounts.list', {});
      const recovered = after.ok ? after.value.find((v) => v.account.id === accountId)?.status : undefined;
      expect(recovered?.state).toBe('online');
    } finally {
      await hub.dispose();
    }
    expect(integrity(profilePaths(disk.dir).database)).toBe('ok');
  });
});

describe('an IMAP initial sync through the hub when the profile disk fills', () => {
  const user: DovecotUser = { user: 'erin', password: 'erin-pass-7d2q' };
  const MESSAGES = 3_000;
  let dovecot: Dovecot;
  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, realisticMessages(MESSAGES, new Date()));
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('stops at the batch that does not fit with the disk-full status, keeps the store intact, and the retry after space returns lands every message', async () => {
    const keychain = testKeychain();
    disk = smallDisk(3);
    const hub = Hub.open({ profileDir: disk.dir, secrets: keychain.secrets });
    const statuses: ConnectionState[] = [];
    hub.on((name, payload) => {
      if (name === 'account.status') statuses.push((payload as HubEvents['account.status']).connection);
    });
    const until = async (check: (s: ConnectionState) => boolean, from: number) => {
      while (!statuses.slice(from).some(check)) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      const added = await hub.call('accounts.add', {
        kind: 'imap',
        input: { host: '127.0.0.1', port: dovecot.port, security: 'plain', user: user.user, password: user.password, syncMaxMessages: MESSAGES },
      });
      if (!added.ok) throw new Error(added.error.message);
      hub.startConnectors();
      await until((s) => s.state === 'offline' && FULL.test(s.reason), 0);
      const database = profilePaths(disk.dir).database;
      const stored = itemCount(database);
      expect(stored).toBeLessThan(MESSAGES);
      // Whole batches of the sync only (imap FETCH_BATCH is 100).
      expect(stored % 100).toBe(0);
      expect(integrity(database)).toBe('ok');

      const mark = statuses.length;
      disk.grow(128);
      // The connector's own retry, no call from here.
      await until((s) => s.state === 'online', mark);
      expect(itemCount(database)).toBe(MESSAGES);
      expect(integrity(database)).toBe('ok');
    } finally {
      await hub.dispose();
      await keychain.clear();
    }
  });
});
