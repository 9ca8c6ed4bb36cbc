/**
 * Which count the dock, launcher or taskbar badge gets, and how: `app.setBadgeCount` on macOS and on
 * Linux launchers that support it (Unity's launcher API; elsewhere it answers false and nothing shows),
 * a drawn overlay icon on the Windows taskbar button, which has no number badge of its own.
 */
import type { UnreadSummary } from '../../src-shared/unread-summary.ts';

export interface BadgeShell {
  platform: NodeJS.Platform;
  /** app.setBadgeCount: true where the platform showed it. */
  setBadgeCount(count: number): boolean;
  /** BrowserWindow.setOverlayIcon with the drawn count (PNG), or null to clear it; `description` is read by screen readers. */
  setOverlayIcon(png: Buffer | null, description: string): void;
  /** The count drawn as PNG for the overlay ("12", "99+"). */
  drawOverlay(text: string): Buffer;
}

export type BadgeShown = { via: 'badge-count'; count: number; shown: boolean } | { via: 'overlay'; text: string } | { via: 'none' };

/** Shows the summary's badge; returns what it asked of the platform. */
export function showBadge(summary: UnreadSummary, shell: BadgeShell): BadgeShown {
  if (shell.platform === 'win32') {
    if (summary.badge === 0) shell.setOverlayIcon(null, '');
    else shell.setOverlayIcon(shell.drawOverlay(summary.badgeText), summary.headline);
    return { via: 'overlay', text: summary.badgeText };
  }
  if (shell.platform === 'darwin' || shell.platform === 'linux') {
    return { via: 'badge-count', count: summary.badge, shown: shell.setBadgeCount(summary.badge) };
  }
  return { via: 'none' };
}
