/**
 * The window's unread figures — the sidebar's counts and the document title — read from the one
 * unread summary (src-shared/unread-summary.ts), which the tray, the badge and the CLI read too.
 */
import type { SourceKind } from '../../src-shared/domain.ts';
import { accountUnread, sourceUnread, SOURCE_ORDER, unreadSummary } from '../../src-shared/unread-summary.ts';
import type { AppState } from './store.ts';

export interface SidebarFigures {
  /** The Inbox view and "All sources". */
  unread: number;
  priority: number;
  sources: Record<SourceKind, number>;
  accounts: Record<string, { unread: number; priority: number }>;
}

export function sidebarFigures(state: Pick<AppState, 'counts' | 'accounts'>): SidebarFigures {
  const summary = unreadSummary(state.counts);
  const sources = Object.fromEntries(SOURCE_ORDER.map((s) => [s, sourceUnread(summary, s)])) as Record<SourceKind, number>;
  const accounts = Object.fromEntries(state.accounts.map((a) => [a.account.id, accountUnread(summary, a.account.id)]));
  return { unread: summary.unread, priority: summary.priority, sources, accounts };
}

/** "(12) Groundswell": the tab and the taskbar show it. */
export function documentTitle(state: Pick<AppState, 'counts'>): string {
  return unreadSummary(state.counts).title;
}
