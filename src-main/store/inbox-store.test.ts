import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxItem, SourceKind } from '../../src-shared/domain.ts';
import type { InboxFilter, InboxPage } from '../../src-shared/api.ts';
import { InboxStore, itemId, type StoredAccount, type NewItem } from './inbox-store.ts';
import { LATEST_VERSION } from './migrations/index.ts';
import { StoreError } from './store-error.ts';

let dir: string;
let path: string;
let store: InboxStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-store-'));
  path = join(dir, 'inbox.sqlite');
  store = InboxStore.open(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type ShippedKind = 'imap' | 'matrix' | 'feed';
const SOURCE_OF: Record<ShippedKind, SourceKind> = { imap: 'mail', matrix: 'chat', feed: 'feed' };

function account(id: string, kind: ShippedKind, createdAt = 1_000): StoredAccount {
  switch (kind) {
    case 'imap':
      return {
        id,
        kind,
        displayName: `Mail ${id}`,
        createdAt,
        settings: { host: 'imap.example.test', port: 993, security: 'tls', user: 'ada', syncWindowDays: 30, syncMaxMessages: 500 },
        settingsVersion: 1,
      };
    case 'matrix':
      return { id, kind, displayName: `Chat ${id}`, createdAt, settings: { homeserverUrl: 'https://hs.example.test', userId: '@ada:example.test' }, settingsVersion: 1 };
    case 'feed':
      return {
        id,
        kind,
        displayName: `Feed ${id}`,
        createdAt,
        settings: { url: 'https://example.test/feed.xml', intervalSeconds: 300, folder: '', alertLevel: 'badge', keywords: [], auth: 'none' },
        settingsVersion: 1,
      };
  }
}

const UNTRIAGED_ITEM = { done: false, starred: false, snoozedUntil: null, snoozeEnded: null, pending: false };

function item(accountId: string, externalId: string, fields: Partial<NewItem> = {}): NewItem {
  const source = fields.source ?? 'mail';
  return {
    id: itemId(accountId, externalId),
    accountId,
    externalId,
    scope: 'INBOX',
    source,
    conversationKey: `thread-${externalId}`,
    sender: 'Ada Lovelace',
    title: `Subject ${externalId}`,
    snippet: 'A short preview of the message body.',
    timestamp: 1_700_000_000_000,
    unread: true,
    priority: false,
    origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 7, uid: 1 },
    ...fields,
  };
}

/** Reads every page of a listing; fails the test if a page repeats a row. */
function walk(filter: InboxFilter, limit: number): InboxItem[] {
  const seen: InboxItem[] = [];
  let page: InboxPage = store.listInbox({ ...filter, limit });
  for (;;) {
    seen.push(...page.items);
    if (page.next === undefined) break;
    expect(page.items).toHaveLength(limit);
    page = store.listInbox({ ...filter, limit, after: page.next });
  }
  return seen;
}

/** The inbox order: newest first; within one millisecond, the item that arrived last comes first. */
function inboxOrder(arrived: NewItem[]): NewItem[] {
  return arrived
    .map((item, arrival) => ({ item, arrival }))
    .sort((a, b) => b.item.timestamp - a.item.timestamp || b.arrival - a.arrival)
    .map(({ item }) => item);
}

/** A second connection on the same file, to look at tables the store does not expose. */
function peek<T>(sql: string, ...params: unknown[]): T {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare(sql).pluck().get(...params) as T;
  } finally {
    raw.close();
  }
}

describe('opening a profile', () => {
  it('uses WAL on a real file and keeps data across reopening', () => {
    store.insertAccount(account('a1', 'imap'));
    store.upsertItems([item('a1', 'm1')]);
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(peek<string>('PRAGMA journal_mode')).toBe('wal');
    store.close();
    store = InboxStore.open(path);
    expect(store.getItem('a1:m1')?.title).toBe('Subject m1');
    expect(peek<number>('PRAGMA user_version')).toBe(LATEST_VERSION);
  });

  it('refuses a profile written by a newer version, without touching it', () => {
    store.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    let thrown: unknown;
    try {
      store = InboxStore.open(path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).code).toBe('profile-too-new');
    expect((thrown as StoreError).message).toMatch(/written by a newer Groundswell/);
    expect(peek<number>('PRAGMA user_version')).toBe(LATEST_VERSION + 1);
    store = InboxStore.open(':memory:');
  });

  it('opens an in-memory profile', () => {
    const memory = InboxStore.open(':memory:');
    memory.insertAccount(account('a1', 'feed'));
    expect(memory.listAccounts()).toHaveLength(1);
    memory.close();
  });
});

describe('accounts', () => {
  it('lists by creation time and round-trips settings', () => {
    store.insertAccount(account('late', 'feed', 3_000));
    store.insertAccount(account('early', 'imap', 1_000));
    store.insertAccount(account('middle', 'matrix', 2_000));
    expect(store.listAccounts().map((a) => a.id)).toEqual(['early', 'middle', 'late']);
    expect(store.getAccount('early')).toEqual(account('early', 'imap', 1_000));
    expect(store.getAccount('nobody')).toBeUndefined();
  });

  it('updates an account and says so when it does not exist', () => {
    store.insertAccount(account('a1', 'feed'));
    const renamed = { ...account('a1', 'feed'), displayName: 'Company news' };
    store.updateAccount(renamed);
    expect(store.getAccount('a1')).toEqual(renamed);
    expect(() => store.updateAccount(account('ghost', 'feed'))).toThrow(StoreError);
  });

  it('keeps an account of a kind it has never heard of, with its settings version', () => {
    // Kinds are plug-ins: the store holds their settings as given and leaves decoding to the kind.
    const calendar: StoredAccount = { id: 'cal', kind: 'caldav', displayName: 'Calendar', createdAt: 5, settings: { url: 'https://dav.example.test/', colours: ['red'] }, settingsVersion: 3 };
    store.insertAccount(calendar);
    expect(store.getAccount('cal')).toEqual(calendar);
    store.updateAccount({ ...calendar, settings: { url: 'https://dav.example.test/' }, settingsVersion: 4 });
    expect(store.getAccount('cal')).toMatchObject({ settings: { url: 'https://dav.example.test/' }, settingsVersion: 4 });
  });

  it('deleting an account removes its items, bodies, cursors, counts and search rows', () => {
    store.insertAccount(account('gone', 'imap'));
    store.insertAccount(account('kept', 'imap'));
    store.upsertItems([
      item('gone', 'm1', { title: 'zebra crossing' }),
      item('gone', 'm2', { title: 'zebra stripes' }),
      item('kept', 'm1', { title: 'zebra kept' }),
    ]);
    store.putBody('gone:m1', { headers: [], bodyText: 'body', fetchedAt: 1 });
    store.writeCursor('gone', 'INBOX', { uidNext: 10 });
    store.catchUpSearchIndex();
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(3);

    store.deleteAccount('gone');

    expect(store.getAccount('gone')).toBeUndefined();
    expect(store.getItems(['gone:m1', 'gone:m2', 'kept:m1']).map((i) => i.id)).toEqual(['kept:m1']);
    expect(store.getBody('gone:m1')).toBeUndefined();
    expect(store.readCursor('gone', 'INBOX')).toBeUndefined();
    expect(store.search({ text: 'zebra' }).items.map((i) => i.id)).toEqual(['kept:m1']);
    expect(store.unreadCounts()).toEqual({ all: 1, bySource: { mail: 1, chat: 0, feed: 0 }, byAccount: { kept: 1 }, priority: 0, priorityByAccount: {} });
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(1);
    expect(peek<number>('SELECT count(*) FROM item_bodies')).toBe(0);
    expect(peek<number>('SELECT count(*) FROM sync_cursors')).toBe(0);
  });
});

describe('items', () => {
  beforeEach(() => {
    store.insertAccount(account('a1', 'imap'));
  });

  it('looks up known items among given ids only, in any number, inside the scope', () => {
    const many = Array.from({ length: 1_200 }, (_, n) => item('a1', `m${n}`, { unread: n % 2 === 0, timestamp: 1_700_000_000_000 + n }));
    store.upsertItems([...many, item('a1', 'other', { scope: 'Archive' })]);
    const asked = [...Array.from({ length: 1_100 }, (_, n) => `m${n + 150}`), 'missing', 'other', 'm150'];
    const known = store.knownItems('a1', 'INBOX', asked);
    expect(known.size).toBe(1_050);
    expect(known.get('m151')).toEqual({ unread: false, timestamp: 1_700_000_000_151 });
    expect(known.has('other')).toBe(false);
    expect(store.knownItems('a1', 'INBOX').size).toBe(1_200);
  });

  it('upserting the same item twice keeps one row; a changed field is written and re-indexed', () => {
    const first = item('a1', 'm1', { title: 'Quarterly numbers' });
    expect(store.upsertItems([first])).toBe(1);
    expect(store.upsertItems([first])).toBe(0);
    expect(peek<number>('SELECT count(*) FROM items')).toBe(1);
    store.catchUpSearchIndex();
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(1);

    const edited = { ...first, title: 'Annual numbers', unread: false, searchText: 'spreadsheet attached' };
    expect(store.upsertItems([edited])).toBe(1);
    expect(store.getItem('a1:m1')).toEqual({ ...edited, ...UNTRIAGED_ITEM });
    expect(store.search({ text: 'quarterly' }).items).toEqual([]);
    expect(store.search({ text: 'annual' }).items.map((i) => i.id)).toEqual(['a1:m1']);
    expect(store.search({ text: 'spreadsheet' }).items.map((i) => i.id)).toEqual(['a1:m1']);
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(1);
  });

  it('derives the id from account and external id, whatever the caller put in id', () => {
    store.upsertItems([{ ...item('a1', 'm1'), id: 'something-else' }]);
    expect(store.getItem('a1:m1')?.externalId).toBe('m1');
    expect(store.getItem('something-else')).toBeUndefined();
  });

  it('keeps the same external id apart in different accounts', () => {
    store.insertAccount(account('a2', 'imap'));
    expect(store.upsertItems([item('a1', 'same'), item('a2', 'same')])).toBe(2);
    expect(store.getItems(['a2:same', 'a1:same']).map((i) => i.accountId)).toEqual(['a2', 'a1']);
  });

  it('round-trips every field, including origins of each kind', () => {
    store.insertAccount(account('c1', 'matrix'));
    store.insertAccount(account('f1', 'feed'));
    const stored = [
      item('a1', 'm1', { priority: true, origin: { kind: 'mail', mailbox: 'Work', uidValidity: 4_294_967_295, uid: 42, messageId: '<x@y>' } }),
      item('c1', '$ev:hs', { source: 'chat', scope: '!room:hs', unread: false, origin: { kind: 'chat', roomId: '!room:hs', eventId: '$ev:hs' } }),
      item('f1', 'guid-1', { source: 'feed', scope: 'https://example.test/feed.xml', origin: { kind: 'feed', guid: 'guid-1' } }),
    ];
    store.upsertItems(stored);
    expect(store.getItems(stored.map((s) => s.id))).toEqual(stored.map((s) => ({ ...s, ...UNTRIAGED_ITEM })));
  });

  it('setUnread reports only the ids that changed', () => {
    store.upsertItems([item('a1', 'm1', { unread: true }), item('a1', 'm2', { unread: false })]);
    expect(store.setUnread(['a1:m1', 'a1:m2', 'a1:nope', 'a1:m1'], false)).toEqual(['a1:m1']);
    expect(store.setUnread(['a1:m1', 'a1:m2'], false)).toEqual([]);
    expect(store.setUnread(['a1:m2'], true)).toEqual(['a1:m2']);
    expect(store.getItem('a1:m2')?.unread).toBe(true);
  });

  it('setUnreadByExternalId counts real changes', () => {
    store.upsertItems([item('a1', 'm1', { unread: true }), item('a1', 'm2', { unread: true })]);
    const changed = store.setUnreadByExternalId('a1', [
      { externalId: 'm1', unread: false },
      { externalId: 'm2', unread: true },
      { externalId: 'missing', unread: false },
    ]);
    expect(changed).toBe(1);
    expect(store.knownReadState('a1', 'INBOX')).toEqual(new Map([['m1', false], ['m2', true]]));
  });

  it('removes items, clears a scope and reports what it holds per scope', () => {
    store.upsertItems([
      item('a1', 'm1', { scope: 'INBOX' }),
      item('a1', 'm2', { scope: 'INBOX', unread: false }),
      item('a1', 'm3', { scope: 'Archive' }),
      item('a1', 'm4', { scope: 'Archive' }),
    ]);
    expect(store.knownExternalIds('a1', 'INBOX').sort()).toEqual(['m1', 'm2']);
    expect(store.knownReadState('a1', 'Archive')).toEqual(new Map([['m3', true], ['m4', true]]));
    expect(store.removeItems('a1', ['m1', 'missing'])).toBe(1);
    expect(store.knownExternalIds('a1', 'INBOX')).toEqual(['m2']);
    expect(store.clearScope('a1', 'Archive')).toBe(2);
    expect(store.knownExternalIds('a1', 'Archive')).toEqual([]);
    expect(store.search({ text: 'subject' }).items.map((i) => i.id)).toEqual(['a1:m2']);
  });

  it('an empty batch is a no-op', () => {
    expect(store.upsertItems([])).toBe(0);
    expect(store.setUnread([], true)).toEqual([]);
    expect(store.removeItems('a1', [])).toBe(0);
  });
});

describe('the merged inbox', () => {
  const accounts: [string, ShippedKind][] = [
    ['mail-1', 'imap'],
    ['mail-2', 'imap'],
    ['chat-1', 'matrix'],
    ['feed-1', 'feed'],
  ];
  let all: NewItem[];

  beforeEach(() => {
    for (const [id, kind] of accounts) store.insertAccount(account(id, kind));
    all = [];
    // Only 7 distinct timestamps over 240 items: most pages end in the middle of a tie.
    for (let n = 0; n < 240; n++) {
      const [accountId, kind] = accounts[n % accounts.length]!;
      all.push(
        item(accountId, `x${(n * 7919) % 1000}`, {
          source: SOURCE_OF[kind],
          timestamp: 1_700_000_000_000 + (n % 7) * 60_000,
          unread: n % 3 === 0,
        }),
      );
    }
    store.upsertItems(all);
  });

  const filters: InboxFilter[] = [
    {},
    { unreadOnly: true },
    { source: 'mail' },
    { source: 'chat', unreadOnly: true },
    { accountId: 'mail-2' },
    { accountId: 'feed-1', unreadOnly: true },
    { accountId: 'chat-1', source: 'chat' },
    { accountId: 'chat-1', source: 'mail' },
    { accountId: 'mail-1', source: 'mail', unreadOnly: true },
  ];

  it.each(filters)('walks every matching row exactly once, newest first: %o', (filter) => {
    const expected = inboxOrder(all)
      .filter((i) => filter.source === undefined || i.source === filter.source)
      .filter((i) => filter.accountId === undefined || i.accountId === filter.accountId)
      .filter((i) => filter.unreadOnly !== true || i.unread)
      .map((i) => i.id);
    for (const limit of [1, 7, 50]) {
      expect(walk(filter, limit).map((i) => i.id)).toEqual(expected);
    }
  });

  it.each(filters)('reads pages straight off the table or one index, with no sort: %o', (filter) => {
    const first = store.listInbox({ ...filter, limit: 3 });
    for (const query of [filter, { ...filter, after: first.next! }]) {
      const plan = store.explainInbox(query);
      // One walk of items, and primary-key probes of the triage table for each row of the page.
      expect(plan[0]).toMatch(/^(SCAN items|SEARCH items USING (INTEGER PRIMARY KEY|INDEX items_unread|INDEX items_by_(shelf|source|account)))/);
      for (const step of plan.slice(1)) expect(step).toMatch(/^(CORRELATED SCALAR SUBQUERY \d+|SEARCH item_triage USING PRIMARY KEY)/);
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('moves an item in the order when its timestamp changes, and keeps walks exact', () => {
    const moved = { ...all[0]!, timestamp: 1_800_000_000_000 };
    store.upsertItems([moved]);
    expect(store.listInbox({ limit: 1 }).items[0]?.id).toBe(moved.id);
    expect(store.search({ text: 'subject', limit: 1 }).items[0]?.id).toBe(moved.id);
    const expected = inboxOrder([...all.slice(1), moved]).map((i) => i.id);
    expect(walk({}, 9).map((i) => i.id)).toEqual(expected);
  });

  it('keeps items apart when more than 1024 share one millisecond', () => {
    store.insertAccount(account('burst', 'matrix'));
    const burst = Array.from({ length: 1100 }, (_, n) => item('burst', `b${n}`, { source: 'chat', timestamp: 1_700_000_000_000 }));
    expect(store.upsertItems(burst)).toBe(1100);
    expect(walk({ accountId: 'burst' }, 500)).toHaveLength(1100);
  });

  it('searches newest first without sorting the matches', () => {
    const plan = store.explainSearch({ text: 'subject', source: 'mail', unreadOnly: true }).join('\n');
    expect(plan).not.toMatch(/TEMP B-TREE/);
    const found = store.search({ text: 'subject', limit: 500, order: 'newest' }).items.map((i) => i.id);
    expect(found).toEqual(inboxOrder(all).map((i) => i.id));
  });

  it('returns InboxItems without the store-only fields', () => {
    const [first] = store.listInbox({ limit: 1 }).items;
    expect(Object.keys(first!).sort()).toEqual(
      ['accountId', 'conversationKey', 'done', 'id', 'origin', 'pending', 'priority', 'sender', 'snippet', 'snoozeEnded', 'snoozedUntil', 'source', 'starred', 'timestamp', 'title', 'unread'],
    );
  });

  it('defaults to 50 rows a page and caps at 500', () => {
    expect(store.listInbox({}).items).toHaveLength(50);
    expect(store.listInbox({ limit: 0 }).items).toHaveLength(1);
    store.insertAccount(account('bulk', 'feed'));
    store.upsertItems(Array.from({ length: 600 }, (_, n) => item('bulk', `b${n}`, { source: 'feed' })));
    expect(store.listInbox({ limit: 10_000 }).items).toHaveLength(500);
  });

  it('turns a damaged cursor into an invalid-input error, not a SQL error', () => {
    for (const after of ['', 'not-base64!', Buffer.from('[1.5]').toString('base64url'), Buffer.from('[1,"x"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      let thrown: unknown;
      try {
        store.listInbox({ after });
      } catch (error) {
        thrown = error;
      }
      expect((thrown as StoreError).code).toBe('invalid-input');
    }
  });

  it.each([...filters, { view: 'all' } as InboxFilter])('reaches the oldest page directly and walks back up to the newest, exactly: %o', (filter) => {
    const expected = walk(filter, 500).map((i) => i.id);
    expect(store.countInbox(filter)).toBe(expected.length);
    for (const limit of [1, 7, 50]) {
      const oldest = store.listInbox({ ...filter, limit, from: 'oldest' });
      expect(oldest.next).toBeUndefined();
      const seen = [...oldest.items.map((i) => i.id)];
      let previous = oldest.previous;
      while (previous !== undefined) {
        const page = store.listInbox({ ...filter, limit, before: previous });
        expect(page.next).toBeDefined();
        seen.unshift(...page.items.map((i) => i.id));
        previous = page.previous;
      }
      expect(seen).toEqual(expected);
    }
  });

  it.each([{}, { view: 'all' } as InboxFilter, { source: 'mail', unreadOnly: true } as InboxFilter])('jumps to a page in the middle by its offset, then pages on from there: %o', (filter) => {
    const expected = walk(filter, 500).map((i) => i.id);
    const middle = store.listInbox({ ...filter, limit: 7, offset: 20 });
    expect(middle.items.map((i) => i.id)).toEqual(expected.slice(20, 27));
    expect(store.listInbox({ ...filter, limit: 7, after: middle.next! }).items.map((i) => i.id)).toEqual(expected.slice(27, 34));
    expect(store.listInbox({ ...filter, limit: 7, before: middle.previous! }).items.map((i) => i.id)).toEqual(expected.slice(13, 20));
    expect(store.listInbox({ ...filter, limit: 7 }).previous).toBeUndefined();
  });

  it('reads the oldest page and the pages above it off one index, with no sort', () => {
    const oldest = store.listInbox({ limit: 3, from: 'oldest' });
    for (const query of [{ from: 'oldest' as const }, { before: oldest.previous! }, { source: 'mail' as const, from: 'oldest' as const }]) {
      const plan = store.explainInbox(query).join('\n');
      expect(plan).toMatch(/SEARCH items USING (COVERING )?INDEX items_/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('a page stays consistent when rows arrive before the cursor is used', () => {
    const page = store.listInbox({ limit: 10 });
    store.upsertItems([item('mail-1', 'newer', { timestamp: 1_800_000_000_000 })]);
    const rest = walk({}, 500);
    const next = store.listInbox({ limit: 500, after: page.next! });
    expect(next.items.map((i) => i.id)).toEqual(rest.slice(11).map((i) => i.id));
  });
});

describe('unread counts', () => {
  it('match a count of the rows after every kind of change', () => {
    store.insertAccount(account('m', 'imap'));
    store.insertAccount(account('c', 'matrix'));
    store.insertAccount(account('f', 'feed'));
    const truth = new Map<string, NewItem>();
    const check = () => {
      const expected = {
        all: 0,
        bySource: { mail: 0, chat: 0, feed: 0 },
        byAccount: {} as Record<string, number>,
        priority: 0,
        priorityByAccount: {} as Record<string, number>,
      };
      for (const i of truth.values()) {
        if (!i.unread) continue;
        expected.all++;
        expected.bySource[i.source]++;
        expected.byAccount[i.accountId] = (expected.byAccount[i.accountId] ?? 0) + 1;
        if (!i.priority) continue;
        expected.priority++;
        expected.priorityByAccount[i.accountId] = (expected.priorityByAccount[i.accountId] ?? 0) + 1;
      }
      expect(store.unreadCounts()).toEqual(expected);
    };
    const put = (items: NewItem[]) => {
      store.upsertItems(items);
      for (const i of items) truth.set(i.id, i);
    };

    expect(store.unreadCounts()).toEqual({ all: 0, bySource: { mail: 0, chat: 0, feed: 0 }, byAccount: {}, priority: 0, priorityByAccount: {} });
    put([item('m', '1'), item('m', '2'), item('m', '3', { unread: false })]);
    put([item('c', '1', { source: 'chat' }), item('f', '1', { source: 'feed' }), item('f', '2', { source: 'feed' })]);
    check();
    put([item('m', '1', { unread: false }), item('m', '3', { unread: true })]);
    check();
    put([item('m', '3', { unread: true, priority: true }), item('f', '2', { source: 'feed', priority: true })]);
    check();
    put([item('m', '3', { unread: false, priority: true })]);
    check();
    for (const id of store.setUnread(['m:2', 'c:1'], false)) truth.set(id, { ...truth.get(id)!, unread: false });
    check();
    store.setUnreadByExternalId('c', [{ externalId: '1', unread: true }]);
    truth.set('c:1', { ...truth.get('c:1')!, unread: true });
    check();
    store.removeItems('f', ['1']);
    truth.delete('f:1');
    check();
    put([item('f', 's1', { source: 'feed', scope: 'other' }), item('f', 's2', { source: 'feed', scope: 'other' })]);
    store.clearScope('f', 'other');
    truth.delete('f:s1');
    truth.delete('f:s2');
    check();
    store.deleteAccount('m');
    for (const id of [...truth.keys()]) if (id.startsWith('m:')) truth.delete(id);
    check();
    // The account comes back: its counter must start from zero, not from what it had.
    store.insertAccount(account('m', 'imap'));
    put([item('m', 'again')]);
    check();
  });
});

describe('the search index catching up', () => {
  beforeEach(() => {
    store.insertAccount(account('a1', 'imap'));
  });

  const searched = (text: string) => store.search({ text }).items.map((i) => i.id);

  it('leaves new rows for the index to take later, oldest first, in slices', () => {
    store.upsertItems([1, 2, 3, 4, 5].map((n) => item('a1', `m${n}`, { title: `walrus ${n}`, timestamp: 1_000 * n })));
    expect(store.pendingSearchCount()).toBe(5);
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(0);

    expect(store.indexPendingSearch(2)).toBe(2);
    expect(store.pendingSearchCount()).toBe(3);
    // The two oldest went first.
    expect(peek<number>("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'walrus'")).toBe(2);
    expect(peek<number>('SELECT max(rowid) FROM items_fts')).toBeLessThan(peek<number>("SELECT seq FROM items WHERE id = 'a1:m3'"));

    expect(store.indexPendingSearch(10)).toBe(3);
    expect(store.indexPendingSearch(10)).toBe(0);
    expect(store.pendingSearchCount()).toBe(0);
  });

  it('never misses a row search has not indexed yet', () => {
    store.upsertItems([item('a1', 'm1', { title: 'narwhal sighting' })]);
    expect(store.pendingSearchCount()).toBe(1);
    expect(searched('narwhal')).toEqual(['a1:m1']);
    expect(store.pendingSearchCount()).toBe(0);
  });

  it('drops a row deleted before it was indexed, and finds a deleted indexed row no more', () => {
    store.upsertItems([item('a1', 'm1', { title: 'okapi one' }), item('a1', 'm2', { title: 'okapi two', timestamp: 1_700_000_000_001 })]);
    store.indexPendingSearch(1);
    store.removeItems('a1', ['m1', 'm2']);
    expect(store.pendingSearchCount()).toBe(0);
    expect(searched('okapi')).toEqual([]);
    expect(peek<number>('SELECT count(*) FROM items_fts')).toBe(0);
  });

  it('takes an edited row out of the index until its new text is indexed', () => {
    store.upsertItems([item('a1', 'm1', { title: 'quokka' })]);
    store.catchUpSearchIndex();
    store.upsertItems([item('a1', 'm1', { title: 'wombat' })]);
    expect(store.pendingSearchCount()).toBe(1);
    expect(peek<number>("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'quokka'")).toBe(0);
    expect(searched('quokka')).toEqual([]);
    expect(searched('wombat')).toEqual(['a1:m1']);
  });

  it('moves the index row with an item whose timestamp changed', () => {
    store.upsertItems([item('a1', 'm1', { title: 'axolotl', timestamp: 5_000 })]);
    store.catchUpSearchIndex();
    store.upsertItems([item('a1', 'm1', { title: 'axolotl', timestamp: 9_000 })]);
    expect(searched('axolotl')).toEqual(['a1:m1']);
    expect(peek<number>('SELECT rowid FROM items_fts')).toBe(peek<number>("SELECT seq FROM items WHERE id = 'a1:m1'"));
  });
});

describe('search', () => {
  beforeEach(() => {
    store.insertAccount(account('m', 'imap'));
    store.insertAccount(account('c', 'matrix'));
    store.upsertItems([
      item('m', '1', { sender: 'Grace Hopper', title: 'Compiler release notes', snippet: 'The new compiler ships Friday.', timestamp: 1_000 }),
      item('m', '2', { sender: 'Ada Lovelace', title: 'Budget review', snippet: 'Please review the compiler budget.', timestamp: 3_000, unread: false }),
      item('c', '3', { source: 'chat', sender: 'Linus', title: '#dev', snippet: 'compiler is broken again', timestamp: 2_000 }),
      item('c', '4', { source: 'chat', sender: 'Zoë Café', title: '#random', snippet: 'lunch at the café?', timestamp: 4_000, searchText: 'Büro Mittagessen' }),
      item('m', '5', { sender: 'Ops', title: 'AND OR NOT NEAR', snippet: 'C++ and "quoted" (parens) -minus *star', timestamp: 5_000 }),
    ]);
  });

  const ids = (page: InboxPage) => page.items.map((i) => i.id);

  it('matches sender, title, snippet and extra search text, newest first', () => {
    expect(ids(store.search({ order: 'newest', text: 'compiler' }))).toEqual(['m:2', 'c:3', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'hopper' }))).toEqual(['m:1']);
    expect(ids(store.search({ order: 'newest', text: 'budget' }))).toEqual(['m:2']);
    expect(ids(store.search({ order: 'newest', text: 'mittagessen' }))).toEqual(['c:4']);
  });

  it('requires every word and matches the last one as a prefix while typing', () => {
    expect(ids(store.search({ order: 'newest', text: 'compiler fri' }))).toEqual(['m:1']);
    expect(ids(store.search({ order: 'newest', text: 'compiler fri ' }))).toEqual([]);
    expect(ids(store.search({ order: 'newest', text: 'comp' }))).toEqual(['m:2', 'c:3', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'compiler budget' }))).toEqual(['m:2']);
    // Longer than the indexed 3-letter prefix: rows are checked for the whole prefix.
    expect(ids(store.search({ order: 'newest', text: 'compil' }))).toEqual(['m:2', 'c:3', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'compx' }))).toEqual([]);
    expect(ids(store.search({ order: 'newest', text: 'REVI' }))).toEqual(['m:2']);
    expect(ids(store.search({ order: 'newest', text: 'caf' }))).toEqual(['c:4']);
    expect(ids(store.search({ order: 'newest', text: 'CAFÉ' }))).toEqual(['c:4']);
  });

  it('ignores case and diacritics', () => {
    expect(ids(store.search({ order: 'newest', text: 'CAFE' }))).toEqual(['c:4']);
    expect(ids(store.search({ order: 'newest', text: 'zoe' }))).toEqual(['c:4']);
    expect(ids(store.search({ order: 'newest', text: 'buro' }))).toEqual(['c:4']);
  });

  it('applies the inbox filters and the limit', () => {
    expect(ids(store.search({ order: 'newest', text: 'compiler', source: 'chat' }))).toEqual(['c:3']);
    expect(ids(store.search({ order: 'newest', text: 'compiler', accountId: 'm' }))).toEqual(['m:2', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'compiler', unreadOnly: true }))).toEqual(['c:3', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'compiler', accountId: 'm', source: 'mail', unreadOnly: true }))).toEqual(['m:1']);
    expect(ids(store.search({ order: 'newest', text: 'compiler', limit: 1 }))).toEqual(['m:2']);
  });

  it('searches operators and punctuation as plain words', () => {
    expect(ids(store.search({ order: 'newest', text: 'AND' }))).toEqual(['m:5']);
    expect(ids(store.search({ order: 'newest', text: 'NEAR(' }))).toEqual(['m:5']);
    expect(ids(store.search({ order: 'newest', text: '"quoted' }))).toEqual(['m:5']);
    expect(ids(store.search({ order: 'newest', text: 'star -minus' }))).toEqual([]);
    expect(ids(store.search({ order: 'newest', text: 'star' }))).toEqual(['m:5']);
    expect(ids(store.search({ order: 'newest', text: 'compiler NOT budget' }))).toEqual([]);
  });

  it('never throws on hostile or odd input', () => {
    const hostile = [
      '', ' ', '"', '""', '"""', '*', '**', '-', '--', '(', ')', '(()', 'a OR', 'OR', 'NOT', 'AND AND',
      'NEAR(a b', '^', 'sender:', 'sender:grace', '{sender title}: x', 'x:y:z', "'; DROP TABLE items; --",
      '\u0000', 'a\u0000b', '\u200b', '🙂', '🙂 compiler', '中文', 'ﬁ', 'e\u0301', '\ud800', 'x'.repeat(10_000),
      Array.from({ length: 200 }, (_, n) => `w${n}`).join(' '), '%', '_', '\\', '\n\t', 'a* b*', '"a" + "b"',
    ];
    for (const text of hostile) {
      for (const filter of [{}, { source: 'mail' as const, unreadOnly: true }]) {
        // Either results, or a sentence saying what would work: never an FTS5 or SQLite error.
        try {
          const page = store.search({ text, ...filter });
          expect(page.items.length).toBeLessThanOrEqual(page.total);
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError);
          expect((error as StoreError).code).toBe('invalid-input');
          expect((error as Error).message).not.toMatch(/fts5|sqlite|syntax error/i);
        }
      }
    }
    expect(ids(store.search({ order: 'newest', text: '' }))).toEqual([]);
    expect(ids(store.search({ order: 'newest', text: '🙂 compiler' }))).toEqual(['m:2', 'c:3', 'm:1']);
    expect(ids(store.search({ order: 'newest', text: 'sender:grace' }))).toEqual([]);
  });
});

describe('sync cursors', () => {
  it('round-trip JSON per account and key', () => {
    store.insertAccount(account('a', 'imap'));
    store.insertAccount(account('b', 'imap'));
    expect(store.readCursor('a', 'INBOX')).toBeUndefined();
    const value = { uidValidity: 4_294_967_295, uidNext: 1201, highestModseq: '9007199254740993', names: ['é', '"'] };
    store.writeCursor('a', 'INBOX', value);
    store.writeCursor('b', 'INBOX', 1);
    expect(store.readCursor<typeof value>('a', 'INBOX')).toEqual(value);
    store.writeCursor('a', 'INBOX', { uidNext: 1300 });
    expect(store.readCursor('a', 'INBOX')).toEqual({ uidNext: 1300 });
    expect(store.readCursor('b', 'INBOX')).toBe(1);
    store.writeCursor('a', 'since', null);
    expect(store.readCursor('a', 'since')).toBeNull();
  });
});

describe('cached bodies', () => {
  beforeEach(() => {
    store.insertAccount(account('a', 'imap'));
    store.upsertItems([item('a', 'm1')]);
  });

  const body = { headers: [{ name: 'From', value: 'Ada <ada@example.test>' }], bodyText: 'Hello\nthere', fetchedAt: 123 };

  it('round-trips and overwrites', () => {
    expect(store.getBody('a:m1')).toBeUndefined();
    store.putBody('a:m1', body);
    expect(store.getBody('a:m1')).toEqual(body);
    store.putBody('a:m1', { ...body, bodyText: 'changed', fetchedAt: 456 });
    expect(store.getBody('a:m1')).toEqual({ ...body, bodyText: 'changed', fetchedAt: 456 });
  });

  it('ignores a body for an item that is gone, and drops one when its item goes', () => {
    store.putBody('a:missing', body);
    expect(store.getBody('a:missing')).toBeUndefined();
    store.putBody('a:m1', body);
    store.removeItems('a', ['m1']);
    expect(store.getBody('a:m1')).toBeUndefined();
  });

  it('drops a cached body when the item is edited, but not when only its read state changes', () => {
    store.putBody('a:m1', body);
    store.setUnread(['a:m1'], false);
    expect(store.getBody('a:m1')).toEqual(body);
    store.upsertItems([item('a', 'm1', { snippet: 'edited message' })]);
    expect(store.getBody('a:m1')).toBeUndefined();
  });
});
