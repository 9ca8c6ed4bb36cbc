import { describe, expect, it } from 'vitest';
import { unreadSummary } from '../../src-shared/unread-summary.ts';
import { nextTrayRefresh, trayModel, type TrayMenuItem } from './tray-model.ts';

const counts = { all: 12, bySource: { mail: 3, chat: 9, feed: 0 }, byAccount: { a: 3, b: 9 }, priority: 2, priorityByAccount: { b: 2 } };
const now = new Date(2026, 11, 7, 14, 20).getTime();
const labels = (items: TrayMenuItem[]): string[] => items.map((i) => (i.type === 'separator' ? '—' : i.label));
const pauseMenu = (items: TrayMenuItem[]): TrayMenuItem[] => {
  const sub = items.find((i) => i.type === 'submenu');
  if (sub?.type !== 'submenu') throw new Error('no pause submenu');
  return sub.items;
};

describe('the tray', () => {
  it('shows the count on its icon and per source in its menu, with Pause, Open and Quit', () => {
    const model = trayModel(unreadSummary(counts), { pausedUntil: null, holding: false }, now);
    expect(model.iconText).toBe('12');
    expect(model.tooltip).toBe('Groundswell — 12 unread, 2 priority');
    expect(labels(model.menu)).toEqual(['12 unread, 2 priority', 'Mail: 3 unread', 'Chat: 9 unread', 'Feeds: no unread', '—', 'Pause notifications', '—', 'Open Groundswell', 'Quit']);
    const pause = pauseMenu(model.menu);
    expect(labels(pause)).toEqual(['For 1 hour', 'Until tomorrow']);
    expect(pause.map((i) => (i.type === 'item' ? i.action : undefined))).toEqual([
      { kind: 'pause', until: now + 3_600_000 },
      { kind: 'pause', until: new Date(2026, 11, 8, 8).getTime() },
    ]);
    expect(model.menu.filter((i) => i.type === 'item' && i.action !== undefined).map((i) => i.type === 'item' && i.action?.kind)).toEqual(['open', 'quit']);
  });

  it('while paused says until when and offers Resume, and is drawn again when the pause ends', () => {
    const until = now + 3_600_000;
    const model = trayModel(unreadSummary(null), { pausedUntil: until, holding: true }, now);
    expect(model.iconText).toBe('');
    expect(model.tooltip).toBe('Groundswell — Nothing unread — notifications paused until 15:20');
    expect(labels(model.menu)).toContain('Notifications paused');
    expect(pauseMenu(model.menu)).toEqual([
      { type: 'item', label: 'Paused until 15:20', enabled: false },
      { type: 'item', label: 'Resume notifications', enabled: true, action: { kind: 'resume' } },
    ]);
    expect(nextTrayRefresh({ pausedUntil: until }, now)).toBe(until);
    // A pause already over reads as none.
    expect(labels(trayModel(unreadSummary(null), { pausedUntil: now - 1, holding: false }, now).menu)).toContain('Pause notifications');
    expect(nextTrayRefresh({ pausedUntil: now - 1 }, now)).toBeUndefined();
  });
});
