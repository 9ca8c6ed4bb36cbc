import { describe, expect, it } from 'vitest';
import type { NewItemNotice } from '../../src-shared/api.ts';
import { notificationText, notifyNewItems } from './notifications.ts';
import type { DesktopShell, NotificationText } from './notifications.ts';

const notice = (n: number): NewItemNotice => ({ itemId: `i${n}`, accountName: 'Ops feed', title: `Incident ${n}`, snippet: `Details of incident ${n}` });

/** Electron's side as a record of what was asked of it. */
function desktop(options: { supported?: boolean; focused?: boolean } = {}) {
  const shown: { text: NotificationText; click: () => void }[] = [];
  let forward = 0;
  const shell: DesktopShell = {
    notificationsSupported: () => options.supported ?? true,
    windowFocused: () => options.focused ?? false,
    show: (text, click) => void shown.push({ text, click }),
    bringWindowForward: () => void forward++,
  };
  return { shell, shown, forwarded: () => forward };
}

describe('desktop notifications', () => {
  it('names one item with its snippet, and lists a few of many', () => {
    expect(notificationText([notice(1)])).toEqual({ title: 'Ops feed: Incident 1', body: 'Details of incident 1' });
    expect(notificationText([1, 2].map(notice))).toEqual({ title: '2 new alerts', body: 'Ops feed: Incident 1\nOps feed: Incident 2' });
    expect(notificationText([1, 2, 3, 4, 5].map(notice))).toEqual({
      title: '5 new alerts',
      body: 'Ops feed: Incident 1\nOps feed: Incident 2\nOps feed: Incident 3\nand 2 more',
    });
    expect(notificationText([])).toBeUndefined();
  });

  it('shows only while the window is not focused, and a click brings the window forward', () => {
    const away = desktop();
    expect(notifyNewItems({ items: [notice(1)] }, away.shell)).toBe(true);
    expect(away.shown.map((s) => s.text.title)).toEqual(['Ops feed: Incident 1']);
    expect(away.forwarded()).toBe(0);
    away.shown[0]!.click();
    expect(away.forwarded()).toBe(1);

    const here = desktop({ focused: true });
    expect(notifyNewItems({ items: [notice(1)] }, here.shell)).toBe(false);
    expect(here.shown).toEqual([]);
    const unsupported = desktop({ supported: false });
    expect(notifyNewItems({ items: [notice(1)] }, unsupported.shell)).toBe(false);
    expect(notifyNewItems({ items: [] }, desktop().shell)).toBe(false);
  });
});
