import { describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { DEFAULT_PREFERENCES } from '../../src-shared/preferences.ts';
import { conversationRow, createAppStore, visibleItems } from './store.ts';
import { targetIds } from './triageActions.ts';

const item = (id: string, conversationKey: string, sender: string, source: InboxItem['source'] = 'mail', unread = false): InboxItem => ({
  id,
  accountId: 'acc',
  source,
  conversationKey,
  sender,
  title: id,
  snippet: '',
  timestamp: 0,
  unread,
  priority: false,
  origin: source === 'mail' ? { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid: 1 } : { kind: 'feed', guid: id },
  done: false,
  starred: false,
  snoozedUntil: null,
  snoozeEnded: null,
  pending: false,
});

describe('mail conversations in the list', () => {
  const items = [
    item('m3', 'mail:a', 'Fay'),
    item('f1', 'feed:x', 'Feed', 'feed'),
    item('m2', 'mail:a', 'Eli', 'mail', true),
    item('f2', 'feed:x', 'Feed', 'feed'),
    item('m1', 'mail:a', 'Fay'),
    item('m9', 'mail:b', 'Gus'),
  ];

  it('shows one row per mail conversation, its newest message, with its count and people; feeds stay rows', () => {
    const store = createAppStore();
    store.setState({ items });
    expect(visibleItems(store.getState()).map((i) => i.id)).toEqual(['m3', 'f1', 'f2', 'm9']);
    expect(conversationRow(store.getState(), 'm3')).toEqual({ itemIds: ['m3', 'm2', 'm1'], participants: ['Fay', 'Eli'], unread: true });
    expect(conversationRow(store.getState(), 'm9')).toBeUndefined();
  });

  it('acts on every message of a conversation row', () => {
    const store = createAppStore();
    store.setState({ items, selectedId: 'm3' });
    expect(targetIds(store.getState())).toEqual(['m3', 'm2', 'm1']);
    store.setState({ checkedIds: ['m3', 'm9'] });
    expect(targetIds(store.getState())).toEqual(['m3', 'm2', 'm1', 'm9']);
  });

  it('shows every message as its own row when the preference is off', () => {
    const store = createAppStore();
    store.setState({ items, selectedId: 'm3', preferences: { ...DEFAULT_PREFERENCES, groupConversations: false } });
    expect(visibleItems(store.getState())).toBe(items);
    expect(targetIds(store.getState())).toEqual(['m3']);
  });
});
