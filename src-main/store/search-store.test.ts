/** The store's search with operators, ranking, counts, highlights and chat messages, on a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchQuery, SearchResults } from '../../src-shared/api.ts';
import { InboxStore, itemId, type NewItem } from './inbox-store.ts';
import { CANDIDATES } from './search-plan.ts';
import { StoreError } from './store-error.ts';
import { UNTRIAGED } from './triage-store.ts';

let dir: string;
let store: InboxStore;
const NOW = new Date(2026, 5, 15, 12, 0);
const at = (y: number, m: number, d: number) => new Date(y, m - 1, d, 9).getTime();

function item(accountId: string, externalId: string, fields: Partial<NewItem>): NewItem {
  const source = fields.source ?? 'mail';
  return {
    id: itemId(accountId, externalId),
    accountId,
    externalId,
    scope: source === 'mail' ? 'INBOX' : source === 'chat' ? externalId : 'https://example.test/feed',
    source,
    conversationKey: externalId,
    sender: 'Someone',
    title: 'A title',
    snippet: '',
    timestamp: 1_000,
    unread: true,
    priority: false,
    origin:
      source === 'mail'
        ? { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid: 1 }
        : source === 'chat'
          ? { kind: 'chat', roomId: externalId, eventId: '$last' }
          : { kind: 'feed', guid: externalId },
    ...fields,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-search-'));
  store = InboxStore.open(join(dir, 'inbox.sqlite'));
  store.insertAccounts([
    { id: 'work', kind: 'imap', displayName: 'Work', createdAt: 1, settings: {}, settingsVersion: 1 },
    { id: 'team', kind: 'matrix', displayName: 'Team chat', createdAt: 2, settings: {}, settingsVersion: 1 },
    { id: 'news', kind: 'feed', displayName: 'Lisbon News', createdAt: 3, settings: {}, settingsVersion: 1 },
  ]);
  store.upsertItems([
    item('work', 'm1', {
      sender: 'Alice Martin',
      senderAddress: 'alice@example.org',
      recipients: 'Bob Stone <bob@example.org>',
      title: 'Retry the Lisbon upload',
      snippet: 'The upload failed; please retry.',
      searchText: 'The upload failed; please retry. '.repeat(3) + 'Somewhere deep in the body the word pelican appears once.',
      timestamp: at(2026, 3, 2),
      hasAttachments: true,
    }),
    item('work', 'm2', {
      scope: 'Archive',
      origin: { kind: 'mail', mailbox: 'Archive', uidValidity: 1, uid: 2 },
      sender: 'Bob Stone',
      senderAddress: 'bob@example.org',
      recipients: 'alice@example.org',
      title: 'Trip to Lisbon',
      snippet: 'Flights are booked, retrying the hotel.',
      timestamp: at(2026, 5, 20),
      unread: false,
    }),
    item('team', '!room1', {
      source: 'chat',
      sender: 'Carol',
      title: 'Planning',
      snippet: 'see you tomorrow',
      timestamp: at(2026, 6, 10),
      messages: [
        { id: '$e1', sender: 'Dave', body: 'the lisbon offsite is confirmed', timestamp: at(2026, 4, 1) },
        { id: '$e2', sender: 'Carol', body: 'see you tomorrow', timestamp: at(2026, 6, 10) },
      ],
    }),
    item('news', 'f1', { source: 'feed', sender: 'Lisbon News', title: 'Weather in Lisbon', snippet: 'Sunny all week in Lisbon, Lisbon.', timestamp: at(2026, 6, 1) }),
  ]);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const search = (text: string, extra: Partial<SearchQuery> = {}): SearchResults => store.search({ text, ...extra }, NOW);
const ids = (results: SearchResults) => results.items.map((i) => i.id);

describe('store search', () => {
  it('finds a word by its prefix while it is typed', () => {
    expect(ids(search('retr', { order: 'newest' }))).toEqual(['work:m2', 'work:m1']);
    expect(ids(search('retr '))).toEqual([]);
    expect(search('retr').total).toBe(2);
  });

  it('groups by source, the best match first, and counts every match', () => {
    const results = search('lisbon');
    expect(results.total).toBe(4);
    expect(results.totalCapped).toBe(false);
    // The feed says Lisbon four times, in its sender, title and body: its group leads.
    expect(results.items.map((i) => i.source)).toEqual(['feed', 'mail', 'mail', 'chat']);
    // The room's hit is its message of 1 April.
    expect(ids(search('lisbon', { order: 'newest' }))).toEqual(['news:f1', 'work:m2', 'team:!room1', 'work:m1']);
  });

  it('reads from:, to:, in:, source:, is:, has:, before: and after:', () => {
    expect(ids(search('from:alice'))).toEqual(['work:m1']);
    expect(ids(search('from:bob@example.org'))).toEqual(['work:m2']);
    expect(ids(search('to:bob'))).toEqual(['work:m1']);
    expect(ids(search('from:dave'))).toEqual(['team:!room1']);
    expect(ids(search('lisbon in:archive'))).toEqual(['work:m2']);
    expect(ids(search('lisbon in:planning'))).toEqual(['team:!room1']);
    expect(ids(search('in:"lisbon news"'))).toEqual(['news:f1']);
    expect(ids(search('lisbon source:mail', { order: 'newest' }))).toEqual(['work:m2', 'work:m1']);
    expect(ids(search('lisbon is:read'))).toEqual(['work:m2']);
    expect(ids(search('has:attachment'))).toEqual(['work:m1']);
    expect(ids(search('lisbon before:2026-04-01 source:mail'))).toEqual(['work:m1']);
    expect(ids(search('lisbon after:2026-05-01', { order: 'newest' }))).toEqual(['news:f1', 'work:m2']);
    // The chat hit's date is its message's (1 April), not the room's latest.
    expect(ids(search('lisbon after:2026-03-15 before:2026-04-15'))).toEqual(['team:!room1']);
    expect(ids(search('after:30d', { order: 'newest' }))).toEqual(['team:!room1', 'news:f1', 'work:m2']);
    expect(ids(search('lisbon -trip source:mail'))).toEqual(['work:m1']);
  });

  it('applies the operators together with the box\'s scope and says when they cannot meet', () => {
    expect(ids(search('lisbon', { source: 'chat' }))).toEqual(['team:!room1']);
    expect(ids(search('lisbon source:mail', { source: 'chat' }))).toEqual([]);
    expect(ids(search('is:starred'))).toEqual([]);
    store.triage.write(new Map([['work:m2', { ...UNTRIAGED, starred: true }]]));
    expect(ids(search('is:starred'))).toEqual(['work:m2']);
    expect(() => search('is:important')).toThrow(StoreError);
    expect(() => search('is:important')).toThrow(/is: is unread, read, starred or unstarred/);
  });

  it('opens a chat hit at the message that matched, shown in the list as that message', () => {
    const results = search('offsite');
    expect(ids(results)).toEqual(['team:!room1']);
    const [room] = results.items;
    expect(room).toMatchObject({ sender: 'Dave', snippet: 'the lisbon offsite is confirmed', timestamp: at(2026, 4, 1) });
    expect(results.hits['team:!room1']).toEqual({ sender: [], title: [], snippet: [[11, 18]], messageId: '$e1' });
  });

  it('forgets an edited or redacted message\'s old text', () => {
    const room = (messages: NewItem['messages']) => item('team', '!room1', { source: 'chat', sender: 'Carol', title: 'Planning', snippet: 'see you tomorrow', timestamp: at(2026, 6, 10), messages });
    store.upsertItems([room([{ id: '$e1', sender: 'Dave', body: 'the porto offsite is confirmed', timestamp: at(2026, 4, 1) }])]);
    expect(ids(search('porto'))).toEqual(['team:!room1']);
    expect(search('lisbon', { source: 'chat' }).items).toEqual([]);
    store.upsertItems([room([{ id: '$e1', sender: 'Dave', body: '', timestamp: at(2026, 4, 1) }])]);
    expect(search('porto').items).toEqual([]);
    store.deleteAccount('team');
    expect(search('tomorrow').items).toEqual([]);
  });

  it('returns where each item matched, and the passage around a match deep in the body', () => {
    const results = search('pelican');
    expect(ids(results)).toEqual(['work:m1']);
    const [mail] = results.items;
    expect(mail!.snippet).toMatch(/^….*the word pelican appears once\.$/u);
    const [range] = results.hits['work:m1']!.snippet;
    expect(mail!.snippet.slice(range![0], range![1])).toBe('pelican');
    expect(results.terms).toEqual([{ text: 'pelican', prefix: true }]);
    const typed = search('Lisb', { source: 'feed' });
    expect(typed.hits['news:f1']!.title).toEqual([[11, 15]]);
  });

  it('counts up to its window and says when there are more', () => {
    const many = Array.from({ length: CANDIDATES + 5 }, (_, n) => item('work', `bulk${n}`, { title: `zebra ${n}`, timestamp: 10_000 + n }));
    store.upsertItems(many);
    const results = search('zebra', { limit: 10 });
    expect(results).toMatchObject({ total: CANDIDATES, totalCapped: true });
    expect(results.items).toHaveLength(10);
  });

  it('walks the index newest first without sorting every match', () => {
    const plan = store.explainSearch({ text: 'lisbon from:bob is:unread', source: 'mail' }, NOW).join('\n');
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

describe('a search while the index catches up', () => {
  it('indexes a bounded amount itself and says how much is still waiting', () => {
    store.upsertItems(Array.from({ length: 17_500 }, (_, n) => item('work', `late${n}`, { title: `walrus ${n}`, timestamp: 100_000 + n })));
    const first = search('walrus', { limit: 1 });
    expect(first.stillIndexing).toBeGreaterThan(0);
    while (store.indexPendingSearch() > 0);
    const after = search('walrus', { limit: 1 });
    expect(after.stillIndexing).toBeUndefined();
    expect(after.total).toBe(CANDIDATES);
  }, 30_000);
});
