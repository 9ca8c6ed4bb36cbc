/**
 * Triage from the window: done, snooze, star, delete, spam, read and unread on the items the user
 * picked (or the one the keyboard points at), Undo, and marking a whole view read. The hub applies
 * each action at once and sends it to the server itself; the list here changes before the answer
 * so that the keyboard never waits, and is fetched again once the hub has answered.
 */
import type { TriageResult } from '../../src-shared/api.ts';
import type { InboxItem, TriageAction, TriageView } from '../../src-shared/domain.ts';
import { formatSnoozeTime } from '../format/snooze.ts';
import { closeItem, findItem, loadCounts, patchUnread, refreshVisible, setView, showToast, type Hub } from './actions.ts';
import { conversationRow, triageViewOf, visibleItems, type AppState } from './store.ts';

/** The items an action applies to: the picked ones, else the given item, else the one the keyboard points at. */
export function targetIds(state: AppState, itemId?: string): string[] {
  // A conversation row acts on every message of it that the list holds.
  const expand = (ids: string[]) => [...new Set(ids.flatMap((id) => conversationRow(state, id)?.itemIds ?? [id]))];
  if (state.checkedIds.length > 0 && (itemId === undefined || state.checkedIds.includes(itemId))) return expand(state.checkedIds);
  const id = itemId ?? state.selectedId ?? state.openId;
  return id === null ? [] : expand([id]);
}

/** Whether an item with this action applied still belongs in the view. */
export function staysInView(view: TriageView, action: TriageAction): boolean {
  switch (action) {
    case 'delete':
    case 'spam':
      return false;
    case 'done':
      return view === 'done' || view === 'all' || view === 'starred';
    case 'undone':
      return view !== 'done';
    case 'snooze':
      return view === 'snoozed' || view === 'all' || view === 'starred';
    case 'unsnooze':
      return view !== 'snoozed';
    case 'unstar':
      return view !== 'starred';
    case 'star':
    case 'read':
    case 'unread':
      return true;
    default: {
      const unknown: never = action;
      throw new Error(`Unknown action ${String(unknown)}`);
    }
  }
}

function patchTriage(item: InboxItem, action: TriageAction, until: number | undefined): InboxItem {
  switch (action) {
    case 'star':
    case 'unstar':
      return { ...item, starred: action === 'star' };
    case 'done':
    case 'undone':
      return { ...item, done: action === 'done', snoozeEnded: null };
    case 'snooze':
      return { ...item, snoozedUntil: until ?? null, snoozeEnded: null };
    case 'unsnooze':
      return { ...item, snoozedUntil: null };
    default:
      return item;
  }
}

/**
 * The change as the user should see it before the hub answers: rows that leave the view go, the
 * others change in place, and the keyboard moves to the row after the last one that went.
 */
function applyLocally(hub: Hub, ids: string[], action: TriageAction, until: number | undefined): void {
  const state = hub.store.getState();
  const set = new Set(ids);
  if (action === 'read' || action === 'unread') {
    hub.store.setState((s) => ({ ...patchUnread(s, set, action === 'unread'), checkedIds: [], anchorId: null }));
    return;
  }
  const stays = staysInView(triageViewOf(state.view), action);
  const patch = (item: InboxItem): InboxItem => (set.has(item.id) ? patchTriage(item, action, until) : item);
  const keep = (item: InboxItem): boolean => stays || !set.has(item.id);
  const shown = visibleItems(state);
  let selectedId = state.selectedId;
  if (!stays && selectedId !== null && set.has(selectedId)) {
    const last = Math.max(...shown.map((item, i) => (set.has(item.id) ? i : -1)));
    const after = shown.slice(last + 1).find(keep) ?? [...shown.slice(0, last)].reverse().find(keep);
    selectedId = after?.id ?? null;
  }
  const openGone = !stays && state.openId !== null && set.has(state.openId);
  hub.store.setState((s) => ({
    items: s.items.filter(keep).map(patch),
    results: s.results === null ? null : s.results.filter(keep).map(patch),
    detail: s.detail !== null && set.has(s.detail.item.id) ? { ...s.detail, item: patch(s.detail.item) } : s.detail,
    selectedId,
    checkedIds: [],
    anchorId: null,
  }));
  if (openGone) closeItem(hub);
}

const VERBS: Record<TriageAction, string> = {
  done: 'mark as done',
  undone: 'move back to the Inbox',
  star: 'star',
  unstar: 'unstar',
  snooze: 'snooze',
  unsnooze: 'unsnooze',
  delete: 'delete',
  spam: 'mark as spam',
  read: 'mark as read',
  unread: 'mark as unread',
};

/** What the Undo note says it took back, in the buttons' words. */
const UNDONE: Record<TriageAction, string> = {
  done: 'Done',
  undone: 'the move to the Inbox',
  star: 'Star',
  unstar: 'the unstar',
  snooze: 'Snooze',
  unsnooze: 'the unsnooze',
  delete: 'Delete',
  spam: 'Mark as spam',
  read: 'Mark as read',
  unread: 'Mark as unread',
};

function doneText(action: TriageAction, count: number, until: number | undefined): string {
  const what = count === 1 ? '' : ` ${count} items`;
  switch (action) {
    case 'done':
      return `Done${what}.`;
    case 'undone':
      return `Moved${what} back to the Inbox.`;
    case 'star':
      return `Starred${what}.`;
    case 'unstar':
      return `Unstarred${what}.`;
    case 'snooze':
      return `Snoozed${what} until ${until === undefined ? 'later' : formatSnoozeTime(until)}.`;
    case 'unsnooze':
      return `Unsnoozed${what}.`;
    case 'delete':
      return `Deleted${what}.`;
    case 'spam':
      return `Marked${what} as spam.`;
    case 'read':
      return `Marked${what} as read.`;
    case 'unread':
      return `Marked${what} as unread.`;
    default: {
      const unknown: never = action;
      throw new Error(`Unknown action ${String(unknown)}`);
    }
  }
}

function resultText(result: TriageResult): string {
  const extra = [...result.notices];
  if (result.waiting) extra.push('Waiting to sync: the server gets it once it can be reached.');
  return extra.length === 0 ? '' : ` ${extra.join(' ')}`;
}

async function afterward(hub: Hub): Promise<void> {
  await Promise.all([refreshVisible(hub), loadCounts(hub)]);
}

/** One `items.triage` call for all the items; a delete the hub wants confirmed asks first. */
export async function triage(hub: Hub, ids: string[], action: TriageAction, options: { until?: number; confirm?: boolean } = {}): Promise<boolean> {
  if (ids.length === 0) return false;
  const request = { itemIds: ids, action, ...(options.until === undefined ? {} : { until: options.until }), ...(options.confirm === true ? { confirm: true } : {}) };
  // A delete may need the user's yes first, so it changes the list only once the hub took it.
  const early = action !== 'delete';
  if (early) applyLocally(hub, ids, action, options.until);
  const result = await hub.client.call('items.triage', request);
  if (!result.ok && result.error.field === 'confirm' && action === 'delete') {
    hub.store.setState({ confirmDelete: { itemIds: ids, message: result.error.message } });
    return false;
  }
  if (!result.ok) {
    showToast(hub, 'error', `Could not ${VERBS[action]}: ${result.error.message}`);
    await afterward(hub);
    return false;
  }
  if (!early) applyLocally(hub, ids, action, options.until);
  showToast(hub, 'info', doneText(action, ids.length, options.until) + resultText(result.value), { undo: true });
  await afterward(hub);
  return true;
}

/** Star the items, or unstar them when every one is starred already. */
export function toggleStar(hub: Hub, ids: string[]): Promise<boolean> {
  const state = hub.store.getState();
  const all = ids.length > 0 && ids.every((id) => findItem(state, id)?.starred === true);
  return triage(hub, ids, all ? 'unstar' : 'star');
}

/** Done, or back to the Inbox when every one is done already (e in the Done view). */
export function toggleDone(hub: Hub, ids: string[]): Promise<boolean> {
  const state = hub.store.getState();
  const all = ids.length > 0 && ids.every((id) => findItem(state, id)?.done === true);
  return triage(hub, ids, all ? 'undone' : 'done');
}

/** Read the items, or unread them when every one is read already. */
export function toggleRead(hub: Hub, ids: string[]): Promise<boolean> {
  const state = hub.store.getState();
  const anyUnread = ids.some((id) => findItem(state, id)?.unread === true);
  return triage(hub, ids, anyUnread ? 'read' : 'unread');
}

export async function confirmDelete(hub: Hub): Promise<void> {
  const asked = hub.store.getState().confirmDelete;
  hub.store.setState({ confirmDelete: null });
  if (asked !== null) await triage(hub, asked.itemIds, 'delete', { confirm: true });
}

export function cancelDelete(hub: Hub): void {
  hub.store.setState({ confirmDelete: null });
}

export async function undoLast(hub: Hub): Promise<void> {
  const result = await hub.client.call('items.undo', {});
  if (!result.ok) showToast(hub, 'error', `Could not undo: ${result.error.message}`);
  else if (result.value.undone === undefined) showToast(hub, 'info', 'Nothing to undo.');
  else showToast(hub, 'info', `Undid ${UNDONE[result.value.undone]}.${resultText(result.value)}`);
  await afterward(hub);
}

/** Shift+Esc: every unread item of the view the list shows (its source or account too) becomes read. */
export async function markViewRead(hub: Hub): Promise<void> {
  const { view } = hub.store.getState();
  const params = { view: triageViewOf(view), ...(view.source === undefined ? {} : { source: view.source }), ...(view.accountId === undefined ? {} : { accountId: view.accountId }) };
  const result = await hub.client.call('items.markAllRead', params);
  if (!result.ok) showToast(hub, 'error', `Could not mark everything read: ${result.error.message}`);
  else {
    const ids = new Set(result.value.itemIds);
    hub.store.setState((s) => patchUnread(s, ids, false));
    showToast(hub, 'info', `Marked ${ids.size === 1 ? '1 item' : `${ids.size} items`} as read.${resultText(result.value)}`, { undo: ids.size > 0 });
  }
  await afterward(hub);
}

// ---------------------------------------------------------------- snooze menu

export function openSnooze(hub: Hub, ids: string[]): void {
  if (ids.length > 0) hub.store.setState({ snoozeFor: ids, contextMenu: null });
}

export function closeSnooze(hub: Hub): void {
  hub.store.setState({ snoozeFor: null });
}

export async function snoozeChosen(hub: Hub, until: number): Promise<void> {
  const ids = hub.store.getState().snoozeFor;
  hub.store.setState({ snoozeFor: null });
  if (ids !== null) await triage(hub, ids, 'snooze', { until });
}

// ---------------------------------------------------------------- picking items for a bulk action

export function toggleChecked(hub: Hub, itemId: string): void {
  hub.store.setState((s) => ({
    checkedIds: s.checkedIds.includes(itemId) ? s.checkedIds.filter((id) => id !== itemId) : [...s.checkedIds, itemId],
    anchorId: itemId,
  }));
}

/** Shift+click: every row from the last picked one to this one. */
export function checkRange(hub: Hub, itemId: string): void {
  const state = hub.store.getState();
  const items = visibleItems(state);
  const from = items.findIndex((i) => i.id === (state.anchorId ?? state.selectedId));
  const to = items.findIndex((i) => i.id === itemId);
  if (to === -1) return;
  const [a, b] = from === -1 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
  const range = items.slice(a, b + 1).map((i) => i.id);
  hub.store.setState((s) => ({ checkedIds: [...new Set([...s.checkedIds, ...range])], selectedId: itemId }));
}

export function checkAll(hub: Hub): void {
  hub.store.setState((s) => ({ checkedIds: visibleItems(s).map((i) => i.id) }));
}

export function clearChecked(hub: Hub): void {
  hub.store.setState({ checkedIds: [], anchorId: null });
}

// ---------------------------------------------------------------- views, dialogs, menus

/** Goes to a triage view, keeping the source or account filter and Unread only. */
export function goToView(hub: Hub, view: TriageView): Promise<void> {
  const current = hub.store.getState().view;
  hub.store.setState({ checkedIds: [], anchorId: null });
  return setView(hub, { ...current, view });
}

export function setUnreadOnly(hub: Hub, unreadOnly: boolean): Promise<void> {
  const { unreadOnly: _was, ...rest } = hub.store.getState().view;
  return setView(hub, unreadOnly ? { ...rest, unreadOnly: true } : rest);
}

export function openShortcuts(hub: Hub): void {
  hub.store.setState({ shortcutsOpen: true });
}

export function closeShortcuts(hub: Hub): void {
  hub.store.setState({ shortcutsOpen: false });
}

export function openContextMenu(hub: Hub, itemId: string, x: number, y: number): void {
  hub.store.setState({ contextMenu: { itemId, x, y }, selectedId: itemId });
}

export function closeContextMenu(hub: Hub): void {
  hub.store.setState({ contextMenu: null });
}
