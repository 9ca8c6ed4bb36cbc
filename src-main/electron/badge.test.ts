import { describe, expect, it } from 'vitest';
import { unreadSummary } from '../../src-shared/unread-summary.ts';
import { showBadge, type BadgeShell } from './badge.ts';

function shell(platform: NodeJS.Platform, launcherSupports = true) {
  const asked: unknown[] = [];
  const s: BadgeShell = {
    platform,
    setBadgeCount: (n) => (asked.push(['count', n]), launcherSupports),
    setOverlayIcon: (png, description) => void asked.push(['overlay', png === null ? null : png.toString(), description]),
    drawOverlay: (text) => Buffer.from(`png:${text}`),
  };
  return { s, asked };
}

const twelve = unreadSummary({ all: 12, bySource: { mail: 12, chat: 0, feed: 0 }, byAccount: {}, priority: 0, priorityByAccount: {} });
const none = unreadSummary(null);

describe('the dock, launcher and taskbar badge', () => {
  it('gets the unread count on macOS and Linux, and 0 to clear it', () => {
    const mac = shell('darwin');
    expect(showBadge(twelve, mac.s)).toEqual({ via: 'badge-count', count: 12, shown: true });
    expect(showBadge(none, mac.s)).toEqual({ via: 'badge-count', count: 0, shown: true });
    expect(mac.asked).toEqual([['count', 12], ['count', 0]]);
    // A Linux launcher without the badge API answers false: nothing else is tried.
    const linux = shell('linux', false);
    expect(showBadge(twelve, linux.s)).toEqual({ via: 'badge-count', count: 12, shown: false });
  });

  it('is a drawn overlay on the Windows taskbar, described for screen readers, and cleared at 0', () => {
    const win = shell('win32');
    showBadge(twelve, win.s);
    showBadge(none, win.s);
    expect(win.asked).toEqual([['overlay', 'png:12', '12 unread'], ['overlay', null, '']]);
  });
});
