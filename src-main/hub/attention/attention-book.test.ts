/**
 * The attention part with a real store, items going through it as supervision passes them (decide,
 * store, settle): a fresh item notifies once and a re-sent one never again, your own message and an
 * item read on arrival raise nothing, a silent item is stored read and kept read against the server
 * while its rule holds, previews and desktop notifications follow the preferences, and a flood from
 * one account becomes one summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RaisedNotification } from '../../../src-shared/attention.ts';
import type { Account } from '../../../src-shared/domain.ts';
import { DEFAULT_PREFERENCES } from '../../../src-shared/preferences.ts';
import type { Preferences } from '../../../src-shared/preferences.ts';
import { createLogger } from '../../common/logger.ts';
import type { AttentionFacts, ConnectorItem } from '../../connectors/connector.ts';
import { InboxStore } from '../../store/inbox-store.ts';
import { HubEventBus } from '../events.ts';
import { storedItem } from '../item-text.ts';
import { AttentionBook } from './attention-book.ts';

const log = createLogger({ write: () => undefined }, { level: 'error' });
const account: Account = { id: 'chat1', kind: 'matrix', source: 'chat', displayName: 'Team chat', createdAt: 0, settings: {} };

let dir: string;
let store: InboxStore;
let events: HubEventBus;
let book: AttentionBook;
let preferences: Preferences;
let raised: RaisedNotification[];

function open(floodLimit?: number): void {
  book = new AttentionBook({
    store,
    events,
    preferences: () => preferences,
    accounts: { find: (id) => (id === account.id ? { account } : undefined), all: () => [{ account }] },
    changeAccount: async () => undefined,
    log,
    ...(floodLimit !== undefined ? { floodLimit } : {}),
  });
  book.start();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gs-attention-book-'));
  store = InboxStore.open(join(dir, 'profile.sqlite'));
  store.insertAccount({ id: account.id, kind: 'matrix', displayName: account.displayName, createdAt: 0, settings: {}, settingsVersion: 1 });
  events = new HubEventBus(log);
  raised = [];
  events.on((name, payload) => {
    if (name === 'attention.notification') raised.push(payload as RaisedNotification);
  });
  preferences = { ...DEFAULT_PREFERENCES };
  open();
});

afterEach(() => {
  vi.useRealTimers();
  book.dispose();
  events.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function room(roomId: string, text: string, timestamp: number, facts: Partial<AttentionFacts> = {}, unread = true): ConnectorItem {
  return {
    externalId: roomId,
    scope: 'rooms',
    source: 'chat',
    conversationKey: roomId,
    sender: 'Priya Raman',
    title: 'Engineering',
    snippet: text,
    timestamp,
    unread,
    priority: false,
    origin: { kind: 'chat', roomId, eventId: `$${timestamp}` },
    attention: { fresh: true, fromMe: false, mentionsMe: false, direct: false, sender: '@priya:example.org', conversationName: 'Engineering', place: 'Engineering', text: { title: '', categories: [], body: text }, ...facts },
  };
}

/** What supervision does with a connector's upsert. */
function upsert(items: ConnectorItem[]): void {
  const { items: decided, pending } = book.decide(account, items);
  store.upsertItems(decided.map((i) => storedItem(i, { id: `${account.id}:${i.externalId}`, accountId: account.id, source: 'chat' })));
  book.settle(pending);
}

const item = (roomId: string) => store.getItem(`${account.id}:${roomId}`)!;

describe('attention in the hub', () => {
  it('notifies a fresh mention once; the same item sent again raises nothing, a newer message raises again in the same group', () => {
    upsert([room('!eng', 'priya: can you confirm the rollout?', 1_000, { mentionsMe: true })]);
    upsert([room('!eng', 'priya: can you confirm the rollout?', 1_000, { mentionsMe: true })]);
    upsert([room('!eng', 'priya: can you confirm the rollout?', 1_000, { mentionsMe: false, fresh: false })]);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ title: 'Priya Raman in Engineering', body: 'priya: can you confirm the rollout?', priority: true, group: 'chat1:!eng', desktop: true });
    // Reading it cleared the highlight; the reason it notified stays.
    expect(book.why({ itemId: item('!eng').id }).reason).toMatchObject({ notified: true, ruleName: 'Chat: mentions' });
    upsert([room('!eng', 'priya: and the numbers?', 2_000, { mentionsMe: true })]);
    expect(raised.map((n) => [n.group, n.body])).toEqual([
      ['chat1:!eng', 'priya: can you confirm the rollout?'],
      ['chat1:!eng', 'priya: and the numbers?'],
    ]);
  });

  it('raises nothing for your own message or for one already read when it arrived, and says why', () => {
    upsert([room('!dm', 'on my way', 1_000, { direct: true, fromMe: true }, false)]);
    upsert([room('!dm2', 'seen on the phone', 1_000, { direct: true }, false)]);
    expect(raised).toEqual([]);
    expect(book.why({ itemId: item('!dm').id }).reason.notNotifiedBecause).toBe('you sent it yourself');
    expect(book.why({ itemId: item('!dm2').id }).reason.notNotifiedBecause).toBe('it was already read when it arrived');
  });

  it('stores a silenced arrival read and keeps it read against the server while the rule holds', () => {
    upsert([room('!ci', 'build passed', 500, {}, false)]);
    const rule = book.rules.add({ match: {}, conversationOfItem: item('!ci').id, level: 'silent' });
    upsert([room('!ci', 'build failed', 1_000)]);
    expect(item('!ci').unread).toBe(false);
    expect(raised).toEqual([]);
    // The server still counts it unread: a catch-up re-reports it, a flag change says so.
    upsert([room('!ci', 'build failed', 1_000, { fresh: false })]);
    expect(item('!ci').unread).toBe(false);
    expect(book.holdRead(account, [{ externalId: '!ci', unread: true }])).toEqual([]);
    expect(book.holdRead(account, [{ externalId: '!ci', unread: false }])).toEqual([{ externalId: '!ci', unread: false }]);
    // Marked unread here, it stays unread.
    store.setUnread([item('!ci').id], true);
    upsert([room('!ci', 'build failed', 1_000, { fresh: false })]);
    expect(item('!ci').unread).toBe(true);
    // With the rule gone, the server's word counts again.
    store.setUnread([item('!ci').id], false);
    book.rules.remove({ ruleId: rule.id });
    expect(book.holdRead(account, [{ externalId: '!ci', unread: true }])).toEqual([{ externalId: '!ci', unread: true }]);
  });

  it('follows the preferences: no previews says only that something arrived; desktop notifications off still tells the window', () => {
    preferences = { ...preferences, notificationPreviews: false, desktopNotifications: false };
    upsert([room('!dm', 'the password is hunter2', 1_000, { direct: true })]);
    expect(raised).toEqual([expect.objectContaining({ title: 'New message', body: '', desktop: false, conversation: 'Engineering' })]);
  });

  it('makes a flood from one account one summary', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    book.dispose();
    open(2);
    for (let i = 0; i < 6; i++) upsert([room(`!r${i}`, `alert ${i}`, 1_000 + i, { direct: true })]);
    expect(raised).toHaveLength(2);
    vi.advanceTimersByTime(5_000);
    expect(raised).toHaveLength(3);
    expect(raised[2]).toMatchObject({ title: '6 new messages from Team chat', summary: { count: 6 }, group: 'chat1:flood' });
  });
});
