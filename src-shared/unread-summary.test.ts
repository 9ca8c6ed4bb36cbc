import { describe, expect, it } from 'vitest';
import { accountUnread, badgeText, sourceUnread, unreadSummary } from './unread-summary.ts';

describe('the unread summary every surface shows', () => {
  it('puts the count in the title, the badge and the headline, priority apart', () => {
    const s = unreadSummary({ all: 12, bySource: { mail: 3, chat: 9, feed: 0 }, byAccount: { a: 3, b: 9 }, priority: 2, priorityByAccount: { b: 2 } });
    expect(s.title).toBe('(12) Groundswell');
    expect(s.badge).toBe(12);
    expect(s.badgeText).toBe('12');
    expect(s.headline).toBe('12 unread, 2 priority');
    expect(s.sources.map((l) => l.text)).toEqual(['Mail: 3 unread', 'Chat: 9 unread', 'Feeds: no unread']);
    expect(sourceUnread(s, 'chat')).toBe(9);
    expect(accountUnread(s, 'b')).toEqual({ unread: 9, priority: 2 });
    expect(accountUnread(s, 'gone')).toEqual({ unread: 0, priority: 0 });
  });

  it('reads no answer yet, or nothing unread, as a bare title and no badge', () => {
    for (const counts of [null, undefined, { all: 0, bySource: { mail: 0, chat: 0, feed: 0 }, byAccount: { a: 0 }, priority: 0, priorityByAccount: {} }]) {
      const s = unreadSummary(counts);
      expect(s.title).toBe('Groundswell');
      expect(s.badge).toBe(0);
      expect(s.badgeText).toBe('');
      expect(s.headline).toBe('Nothing unread');
      expect(s.unreadByAccount).toEqual({});
    }
  });

  it('caps what is drawn on an icon at 99+', () => {
    expect([0, 1, 9, 99, 100, 12345].map(badgeText)).toEqual(['', '1', '9', '99', '99+', '99+']);
    expect(unreadSummary({ all: 150, bySource: { mail: 150, chat: 0, feed: 0 }, byAccount: {}, priority: 0, priorityByAccount: {} }).title).toBe('(150) Groundswell');
  });
});
