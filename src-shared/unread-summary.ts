/**
 * One unread truth: what every surface shows for the hub's `inbox.counts` — the sidebar, the window
 * title, the Electron tray and badge, `groundswell inbox --counts`. Each reads this one function, so
 * none can count differently from another.
 */
import type { UnreadCounts } from './api.ts';
import type { SourceKind } from './domain.ts';

export const APP_NAME = 'Groundswell';

/** The order sources are listed in, everywhere. */
export const SOURCE_ORDER: readonly SourceKind[] = ['mail', 'chat', 'feed'];
export const SOURCE_TITLES: Record<SourceKind, string> = { mail: 'Mail', chat: 'Chat', feed: 'Feeds' };

/** Past this a badge shows "99+": three digits do not fit on a 16-pixel icon. */
export const BADGE_MAX = 99;

export interface SourceLine {
  source: SourceKind;
  /** "Mail", "Chat", "Feeds". */
  label: string;
  unread: number;
  /** "Mail: 3 unread" / "Mail: no unread". */
  text: string;
}

export interface UnreadSummary {
  /** Unread items in the Inbox, priority ones included. */
  unread: number;
  /** Of those, the priority ones (counted apart, shown with their mark). */
  priority: number;
  /** Per source, in SOURCE_ORDER. */
  sources: SourceLine[];
  unreadByAccount: Readonly<Record<string, number>>;
  priorityByAccount: Readonly<Record<string, number>>;
  /** The window title: "(12) Groundswell", or "Groundswell" with nothing unread. */
  title: string;
  /** The number the dock, launcher and taskbar badge get: 0 hides it. */
  badge: number;
  /** What is drawn on the tray icon and the Windows overlay: "12", "99+", or "" (nothing drawn). */
  badgeText: string;
  /** "12 unread, 2 priority" / "Nothing unread": the tray's tooltip and first menu line. */
  headline: string;
}

/** Counts the hub has not answered yet read as nothing unread. */
export const NO_COUNTS: Readonly<UnreadCounts> = Object.freeze({ all: 0, bySource: { mail: 0, chat: 0, feed: 0 }, byAccount: {}, priority: 0, priorityByAccount: {} });

const whole = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

export function badgeText(n: number): string {
  if (n <= 0) return '';
  return n > BADGE_MAX ? `${BADGE_MAX}+` : String(n);
}

export function unreadSummary(counts: UnreadCounts | null | undefined): UnreadSummary {
  const c = counts ?? NO_COUNTS;
  const unread = whole(c.all);
  const priority = whole(c.priority);
  const sources = SOURCE_ORDER.map((source): SourceLine => {
    const n = whole(c.bySource[source]);
    const label = SOURCE_TITLES[source];
    return { source, label, unread: n, text: `${label}: ${n > 0 ? `${n} unread` : 'no unread'}` };
  });
  const unreadByAccount: Record<string, number> = {};
  for (const [id, n] of Object.entries(c.byAccount)) if (whole(n) > 0) unreadByAccount[id] = whole(n);
  const priorityByAccount: Record<string, number> = {};
  for (const [id, n] of Object.entries(c.priorityByAccount)) if (whole(n) > 0) priorityByAccount[id] = whole(n);
  return {
    unread,
    priority,
    sources,
    unreadByAccount,
    priorityByAccount,
    title: unread > 0 ? `(${unread}) ${APP_NAME}` : APP_NAME,
    badge: unread,
    badgeText: badgeText(unread),
    headline: unread === 0 ? 'Nothing unread' : `${unread} unread${priority > 0 ? `, ${priority} priority` : ''}`,
  };
}

/** An account's figures in the summary: absent from the hub's counts is 0. */
export function accountUnread(summary: UnreadSummary, accountId: string): { unread: number; priority: number } {
  return { unread: summary.unreadByAccount[accountId] ?? 0, priority: summary.priorityByAccount[accountId] ?? 0 };
}

/** A source's unread figure in the summary. */
export function sourceUnread(summary: UnreadSummary, source: SourceKind): number {
  return summary.sources.find((s) => s.source === source)?.unread ?? 0;
}
