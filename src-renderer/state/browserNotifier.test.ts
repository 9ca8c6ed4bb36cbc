import { describe, expect, it } from 'vitest';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { BrowserNotifier, type PageNotifications } from './browserNotifier.ts';
import type { BrowserNotifications } from './store.ts';

const raised = (n: number, group: string): RaisedNotification => ({
  itemId: `item-${n}`,
  accountId: 'acc',
  source: 'mail',
  level: 'notify',
  priority: n === 9,
  title: 'Tom Becker',
  body: `Subject ${n}`,
  reason: 'new mail in INBOX',
  conversation: 'INBOX',
  group,
  at: n,
  desktop: true,
});

/** The page's Notification API as a record of what was constructed and closed. */
function page(start: BrowserNotifications, answer: BrowserNotifications = 'granted') {
  let permission = start;
  const made: { title: string; body: string; tag: string; silent: boolean; closed: boolean; click(): void }[] = [];
  let focused = 0;
  const api: PageNotifications = {
    permission: () => permission,
    requestPermission: async () => (permission = answer),
    show: (title, options, onClick) => {
      const entry = { title, ...options, closed: false, click: onClick };
      made.push(entry);
      return { close: () => void (entry.closed = true) };
    },
    focusPage: () => void focused++,
  };
  return { api, made, focused: () => focused };
}

describe('browser notifications in serve', () => {
  it('raises nothing until the user allowed them, and none at all where the page has no API (Electron)', async () => {
    const p = page('default');
    const notifier = new BrowserNotifier(p.api);
    expect(notifier.present(raised(1, 'g'), () => {})).toBe(false);
    expect(await notifier.request()).toBe('granted');
    expect(notifier.present(raised(2, 'g'), () => {})).toBe(true);
    expect(p.made.map((m) => m.body)).toEqual(['Subject 2']);
    const none = new BrowserNotifier(undefined);
    expect(none.permission()).toBe('unsupported');
    expect(none.present(raised(1, 'g'), () => {})).toBe(false);
    const blocked = new BrowserNotifier(page('default', 'denied').api);
    expect(await blocked.request()).toBe('denied');
    expect(blocked.present(raised(1, 'g'), () => {})).toBe(false);
  });

  it('keeps one per conversation: the same tag, the earlier one closed', () => {
    const p = page('granted');
    const notifier = new BrowserNotifier(p.api);
    notifier.present(raised(1, 'acc:INBOX'), () => {});
    notifier.present(raised(2, 'acc:other'), () => {});
    notifier.present(raised(3, 'acc:INBOX'), () => {});
    expect(p.made.map((m) => [m.tag, m.body, m.closed])).toEqual([
      ['acc:INBOX', 'Subject 1', true],
      ['acc:other', 'Subject 2', false],
      ['acc:INBOX', 'Subject 3', false],
    ]);
    expect(p.made.map((m) => m.silent)).toEqual([true, true, true]);
  });

  it('focuses the page on the item a click came from', () => {
    const p = page('granted');
    const opened: string[] = [];
    const notifier = new BrowserNotifier(p.api);
    notifier.present(raised(9, 'g'), (id) => opened.push(id));
    p.made[0]!.click();
    expect(opened).toEqual(['item-9']);
    expect(p.focused()).toBe(1);
    expect(p.made[0]!.closed).toBe(true);
    expect(p.made[0]!.silent).toBe(false);
  });
});
