/**
 * When new items raise a desktop notification, what it says, and what a click does. Electron's
 * Notification and window come in through `DesktopShell`, so the decisions are tested in Node.
 */
import type { HubEvents, NewItemNotice } from '../../src-shared/api.ts';

export interface NotificationText {
  title: string;
  body: string;
}

export interface DesktopShell {
  notificationsSupported(): boolean;
  /** The window shows its own toast for new items; the desktop hears only when the user is elsewhere. */
  windowFocused(): boolean;
  show(text: NotificationText, onClick: () => void): void;
  /** Shows, un-minimizes and focuses the window. */
  bringWindowForward(): void;
}

/** How many items a notification about several names before it only counts. */
const LISTED = 3;

export function notificationText(items: readonly NewItemNotice[]): NotificationText | undefined {
  const [first] = items;
  if (!first) return undefined;
  if (items.length === 1) return { title: `${first.accountName}: ${first.title}`, body: first.snippet };
  const listed = items.slice(0, LISTED).map((i) => `${i.accountName}: ${i.title}`);
  if (items.length > LISTED) listed.push(`and ${items.length - LISTED} more`);
  return { title: `${items.length} new alerts`, body: listed.join('\n') };
}

/** Returns whether a notification was shown. A click brings the window forward, where the items are on top. */
export function notifyNewItems({ items }: HubEvents['inbox.notify'], shell: DesktopShell): boolean {
  if (!shell.notificationsSupported() || shell.windowFocused()) return false;
  const text = notificationText(items);
  if (!text) return false;
  shell.show(text, () => shell.bringWindowForward());
  return true;
}
