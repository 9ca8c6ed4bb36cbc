/**
 * Everything the UI does, as plain functions over a Hub (client + store). They call the
 * contract, then setState; components and the transport call them alike.
 */
import type { HubClient, InboxFilter, UnreadCounts } from '../../src-shared/api.ts';
import type { AccountView, InboxItem, SourceKind } from '../../src-shared/domain.ts';
import type { AppError, Result } from '../../src-shared/result.ts';
import { withoutSecret } from '../format/secret.ts';
import { coalesce, frameOrTimeout, type Schedule } from './coalesce.ts';
import { loadTotal, refreshWindow } from './listWindow.ts';
import {
  activeQuery,
  searchFilter,
  visibleItems,
  type AccountSettings,
  type AppState,
  type AppStore,
  type HubConnection,
  type ServiceStatus,
  type ToastKind,
} from './store.ts';

export const PAGE_SIZE = 100;
const TOAST_MS = 6000;

export interface Hub {
  client: HubClient;
  store: AppStore;
  /** Latest request per kind: an answer to an older one is dropped. */
  seq: { list: number; search: number; detail: number; accounts: number; counts: number };
  /** Read flags the user set whose call has not answered yet; they win over refetched rows. */
  pendingUnread: Map<string, boolean>;
  nextToastId: number;
}

export function createHub(client: HubClient, store: AppStore): Hub {
  return {
    client,
    store,
    seq: { list: 0, search: 0, detail: 0, accounts: 0, counts: 0 },
    pendingUnread: new Map(),
    nextToastId: 1,
  };
}

// ---------------------------------------------------------------- toasts

export function showToast(hub: Hub, kind: ToastKind, text: string, options: { undo?: boolean } = {}): number {
  const id = hub.nextToastId++;
  const toast = options.undo === true ? { id, kind, text, undo: true } : { id, kind, text };
  // Only the newest action can be undone: older toasts lose their Undo.
  hub.store.setState((s) => ({ toasts: [...s.toasts.slice(-3).map((t) => (options.undo === true && t.undo === true ? { ...t, undo: false } : t)), toast] }));
  if (typeof window !== 'undefined') setTimeout(() => dismissToast(hub, id), TOAST_MS);
  return id;
}

export function dismissToast(hub: Hub, id: number): void {
  hub.store.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

// ---------------------------------------------------------------- accounts and counts

export async function loadAccounts(hub: Hub): Promise<void> {
  const seq = ++hub.seq.accounts;
  const result = await hub.client.call('accounts.list', {});
  if (seq !== hub.seq.accounts) return;
  if (result.ok) {
    const accounts = result.value;
    // Removed elsewhere (the CLI, another window): its settings dialog has nothing left to show.
    hub.store.setState((s) => ({
      accounts,
      accountsLoaded: true,
      accountSettings: s.accountSettings !== null && !accounts.some((a) => a.account.id === s.accountSettings?.accountId) ? null : s.accountSettings,
    }));
  } else showToast(hub, 'error', `Could not load accounts: ${result.error.message}`);
}

export async function loadCounts(hub: Hub): Promise<void> {
  const seq = ++hub.seq.counts;
  const result = await hub.client.call('inbox.counts', {});
  if (seq !== hub.seq.counts) return;
  // Counts are decoration: a failure leaves the old ones rather than interrupting the user.
  if (result.ok) hub.store.setState({ counts: result.value });
}

export function setAccountStatus(hub: Hub, accountId: string, status: AccountView['status'], activity?: AccountView['activity']): void {
  hub.store.setState((s) => ({
    accounts: s.accounts.map((a) => (a.account.id === accountId ? { ...a, status, ...(activity ? { activity } : {}) } : a)),
  }));
}

export function sourceOfAccount(state: AppState, accountId: string): SourceKind | undefined {
  const view = state.accounts.find((a) => a.account.id === accountId);
  return view?.account.source;
}

// ---------------------------------------------------------------- the list

export function withPending(hub: Hub, items: InboxItem[]): InboxItem[] {
  if (hub.pendingUnread.size === 0) return items;
  return items.map((item) => {
    const unread = hub.pendingUnread.get(item.id);
    return unread === undefined || unread === item.unread ? item : { ...item, unread };
  });
}

/** Shows a part of the inbox from its first page; keeps the selection if it is still there. */
export async function setView(hub: Hub, view: InboxFilter): Promise<void> {
  hub.store.setState({ view, items: [], next: undefined, ...TOP_WINDOW, total: undefined, listError: null, checkedIds: [], anchorId: null });
  await loadFirstPage(hub);
  if (activeQuery(hub.store.getState()) !== '') await runSearch(hub);
}

export async function loadFirstPage(hub: Hub): Promise<void> {
  const seq = ++hub.seq.list;
  const view = hub.store.getState().view;
  hub.store.setState({ listState: 'loading', loadingMore: false });
  const result = await hub.client.call('inbox.list', { ...view, limit: PAGE_SIZE });
  if (seq !== hub.seq.list) return;
  if (!result.ok) {
    hub.store.setState({ listState: 'error', listError: result.error.message });
    return;
  }
  hub.store.setState({ items: withPending(hub, result.value.items), next: result.value.next, ...TOP_WINDOW, listState: 'idle', listError: null });
  // Counted after the first rows are on screen: the scrollbar can wait a moment, the rows cannot.
  await loadTotal(hub);
}

/** The loaded stretch starts at the newest item. */
const TOP_WINDOW = { windowStart: 0, previous: undefined, jumping: false, loadingNewer: false } as const;

/** Infinite scroll: appends the page after the last row shown. */
export async function loadMore(hub: Hub): Promise<void> {
  const state = hub.store.getState();
  if (state.next === undefined || state.loadingMore || state.listState === 'loading') return;
  const seq = hub.seq.list;
  hub.store.setState({ loadingMore: true });
  const result = await hub.client.call('inbox.list', { ...state.view, limit: PAGE_SIZE, after: state.next });
  if (seq !== hub.seq.list) return; // the view changed or a refresh replaced the pages meanwhile
  if (!result.ok) {
    hub.store.setState({ loadingMore: false });
    showToast(hub, 'error', `Could not load more: ${result.error.message}`);
    return;
  }
  const known = new Set(state.items.map((i) => i.id));
  const fresh = withPending(hub, result.value.items).filter((i) => !known.has(i.id));
  hub.store.setState((s) => ({ items: [...s.items, ...fresh], next: result.value.next, loadingMore: false }));
}

/**
 * Refetches as many rows as are loaded, page by page from the top, so new mail appears and the
 * rows the user scrolled to stay. Keyset pages make this cheap and keep it exact.
 */
export async function refreshVisible(hub: Hub): Promise<void> {
  if (hub.store.getState().windowStart > 0) return refreshWindow(hub);
  const seq = ++hub.seq.list;
  const { view, items } = hub.store.getState();
  const want = Math.max(items.length, PAGE_SIZE);
  const rows: InboxItem[] = [];
  let after: string | undefined;
  let next: string | undefined;
  do {
    const result = await hub.client.call('inbox.list', after === undefined ? { ...view, limit: PAGE_SIZE } : { ...view, limit: PAGE_SIZE, after });
    if (seq !== hub.seq.list) return;
    if (!result.ok) {
      // Keep what is on screen; the next change or reconnect tries again.
      if (rows.length === 0 && hub.store.getState().listState === 'error') hub.store.setState({ listError: result.error.message });
      return;
    }
    rows.push(...result.value.items);
    next = result.value.next;
    after = next;
  } while (next !== undefined && rows.length < want);
  const seen = new Set<string>();
  const unique = rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  hub.store.setState({ items: withPending(hub, unique), next, ...TOP_WINDOW, listState: 'idle', listError: null });
  await loadTotal(hub);
}

// ---------------------------------------------------------------- search

export function setQuery(hub: Hub, query: string): void {
  hub.store.setState(query.trim() === '' ? { query, results: null, resultsFor: '', searchError: null, searchMeta: null } : { query });
}

/** Widens the search to every source, or narrows it to the sidebar's selection; runs it again at once. */
export async function setSearchScope(hub: Hub, scope: AppState['searchScope']): Promise<void> {
  hub.store.setState({ searchScope: scope });
  await runSearch(hub);
}

export async function setSearchOrder(hub: Hub, order: AppState['searchOrder']): Promise<void> {
  hub.store.setState({ searchOrder: order });
  await runSearch(hub);
}

export function clearSearch(hub: Hub): void {
  hub.seq.search++;
  setQuery(hub, '');
}

/** Runs the query in force; the search box calls this debounced. */
export async function runSearch(hub: Hub): Promise<void> {
  const state = hub.store.getState();
  const text = activeQuery(state);
  const seq = ++hub.seq.search;
  if (text === '') return;
  const result = await hub.client.call('inbox.search', { ...searchFilter(state), text, order: state.searchOrder, limit: 200 });
  if (seq !== hub.seq.search || activeQuery(hub.store.getState()) !== text) return;
  if (result.ok) {
    const { items, total, totalCapped, terms, hits, stillIndexing } = result.value;
    const meta = { total, totalCapped, terms, hits, ...(stillIndexing !== undefined ? { stillIndexing } : {}) };
    hub.store.setState({ results: withPending(hub, items), resultsFor: text, searchError: null, searchErrorIsSyntax: false, searchMeta: meta });
  } else {
    const syntax = result.error.code === 'invalid-input';
    hub.store.setState({ results: [], resultsFor: text, searchError: result.error.message, searchErrorIsSyntax: syntax, searchMeta: null });
  }
}

// ---------------------------------------------------------------- selection and the reading pane

export function selectItem(hub: Hub, itemId: string | null): void {
  hub.store.setState({ selectedId: itemId });
}

/** Moves the keyboard selection by `delta` rows; returns the new index (or -1 if the list is empty). */
export function moveSelection(hub: Hub, delta: number): number {
  const state = hub.store.getState();
  const items = visibleItems(state);
  if (items.length === 0) return -1;
  const at = state.selectedId === null ? -1 : items.findIndex((i) => i.id === state.selectedId);
  const index = at === -1 ? (delta > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + delta));
  hub.store.setState({ selectedId: items[index]?.id ?? null });
  return index;
}

export function findItem(state: AppState, itemId: string): InboxItem | undefined {
  return (
    state.items.find((i) => i.id === itemId) ??
    state.results?.find((i) => i.id === itemId) ??
    (state.detail?.item.id === itemId ? state.detail.item : undefined)
  );
}

/** Shows an item in the reading pane; opening an unread item marks it read. */
export async function openItem(hub: Hub, itemId: string): Promise<void> {
  const before = findItem(hub.store.getState(), itemId);
  hub.store.setState({ selectedId: itemId, openId: itemId, detail: null, detailState: 'loading', detailError: null, remoteContentFor: null });
  const marking = before?.unread === true ? markRead(hub, [itemId]) : Promise.resolve();
  await reloadDetail(hub);
  await marking;
}

/** Fetches the open item's body again, e.g. after the connection came back. */
export async function reloadDetail(hub: Hub): Promise<void> {
  const { openId } = hub.store.getState();
  if (openId === null) return;
  const seq = ++hub.seq.detail;
  hub.store.setState({ detailState: 'loading', detailError: null });
  const remoteContent = hub.store.getState().remoteContentFor === openId;
  const result = await hub.client.call('item.get', { itemId: openId, ...(remoteContent ? { remoteContent } : {}) });
  if (seq !== hub.seq.detail) return;
  if (result.ok) {
    const unread = hub.pendingUnread.get(openId) ?? findItem(hub.store.getState(), openId)?.unread ?? result.value.item.unread;
    hub.store.setState({ detail: { ...result.value, item: { ...result.value.item, unread } }, detailState: 'idle' });
  } else {
    hub.store.setState({ detailState: 'error', detailError: result.error.message });
  }
}

export async function openSelected(hub: Hub): Promise<void> {
  const id = hub.store.getState().selectedId;
  if (id !== null) await openItem(hub, id);
}

export function closeItem(hub: Hub): void {
  hub.seq.detail++;
  hub.store.setState({ openId: null, detail: null, detailState: 'idle', detailError: null });
}

// ---------------------------------------------------------------- read / unread

export function patchUnread(state: AppState, ids: ReadonlySet<string>, unread: boolean): Partial<AppState> {
  const changed: InboxItem[] = [];
  const patch = (item: InboxItem): InboxItem => {
    if (!ids.has(item.id) || item.unread === unread) return item;
    return { ...item, unread };
  };
  for (const id of ids) {
    const item = findItem(state, id);
    if (item !== undefined && item.unread !== unread) changed.push(item);
  }
  const next: Partial<AppState> = {
    items: state.items.map(patch),
    results: state.results === null ? null : state.results.map(patch),
  };
  if (state.detail !== null && ids.has(state.detail.item.id)) next.detail = { ...state.detail, item: patch(state.detail.item) };
  if (state.counts !== null && changed.length > 0) next.counts = shiftCounts(state.counts, changed, unread ? 1 : -1);
  if (changed.length > 0) {
    const byAccount = new Map<string, number>();
    for (const item of changed) byAccount.set(item.accountId, (byAccount.get(item.accountId) ?? 0) + (unread ? 1 : -1));
    next.accounts = state.accounts.map((a) => {
      const d = byAccount.get(a.account.id);
      return d === undefined ? a : { ...a, unread: Math.max(0, a.unread + d) };
    });
  }
  return next;
}

function shiftCounts(counts: UnreadCounts, items: InboxItem[], by: 1 | -1): UnreadCounts {
  const bySource = { ...counts.bySource };
  const byAccount = { ...counts.byAccount };
  const priorityByAccount = { ...counts.priorityByAccount };
  let priority = counts.priority;
  for (const item of items) {
    bySource[item.source] = Math.max(0, (bySource[item.source] ?? 0) + by);
    byAccount[item.accountId] = Math.max(0, (byAccount[item.accountId] ?? 0) + by);
    if (!item.priority) continue;
    priority = Math.max(0, priority + by);
    priorityByAccount[item.accountId] = Math.max(0, (priorityByAccount[item.accountId] ?? 0) + by);
  }
  return { all: Math.max(0, counts.all + by * items.length), bySource, byAccount, priority, priorityByAccount };
}

async function setUnread(hub: Hub, itemIds: string[], unread: boolean): Promise<Result<null>> {
  const ids = new Set(itemIds);
  for (const id of ids) hub.pendingUnread.set(id, unread);
  hub.store.setState((s) => patchUnread(s, ids, unread));
  const result = await hub.client.call(unread ? 'item.markUnread' : 'item.markRead', { itemIds: [...ids] });
  for (const id of ids) if (hub.pendingUnread.get(id) === unread) hub.pendingUnread.delete(id);
  if (!result.ok) {
    hub.store.setState((s) => patchUnread(s, ids, !unread));
    showToast(hub, 'error', `Could not mark as ${unread ? 'unread' : 'read'}: ${result.error.message}`);
  }
  return result;
}

export function markRead(hub: Hub, itemIds: string[]): Promise<Result<null>> {
  return setUnread(hub, itemIds, false);
}

export function markUnread(hub: Hub, itemIds: string[]): Promise<Result<null>> {
  return setUnread(hub, itemIds, true);
}

export async function toggleUnread(hub: Hub, itemId: string): Promise<void> {
  const item = findItem(hub.store.getState(), itemId);
  if (item === undefined) return;
  await (item.unread ? markRead(hub, [itemId]) : markUnread(hub, [itemId]));
}

// ---------------------------------------------------------------- adding an account

export function openAddAccount(hub: Hub): void {
  hub.store.setState({ addAccountOpen: true });
}

export function closeAddAccount(hub: Hub): void {
  hub.store.setState({ addAccountOpen: false });
}

// ---------------------------------------------------------------- one account's settings

export function openAccountSettings(hub: Hub, accountId: string, focus: AccountSettings['focus'] = null): void {
  hub.store.setState({
    accountSettings: { accountId, focus, signingIn: false, passwordError: null, removeStep: 'idle', removeError: null },
  });
}

export function closeAccountSettings(hub: Hub): void {
  hub.store.setState({ accountSettings: null });
}

/** Changes the open dialog only if it still belongs to this account: an answer may land after the user moved on. */
function patchAccountSettings(hub: Hub, accountId: string, patch: Partial<AccountSettings>): void {
  hub.store.setState((s) => (s.accountSettings?.accountId === accountId ? { accountSettings: { ...s.accountSettings, ...patch } } : {}));
}

export function clearPasswordError(hub: Hub, accountId: string): void {
  if (hub.store.getState().accountSettings?.passwordError != null) patchAccountSettings(hub, accountId, { passwordError: null });
}

/** Asks before removing (true) or steps back from it (false). */
export function confirmRemoveAccount(hub: Hub, accountId: string, asking: boolean): void {
  patchAccountSettings(hub, accountId, { removeStep: asking ? 'confirm' : 'idle', removeError: null });
}

function accountName(state: AppState, accountId: string): string {
  return state.accounts.find((a) => a.account.id === accountId)?.account.displayName ?? 'the account';
}

/**
 * "Sign in again": the hub checks the password with the server before keeping it. A refusal stays in
 * the dialog under the password field; success closes it and the account reconnects.
 */
export async function updateAccountPassword(hub: Hub, accountId: string, password: string): Promise<{ ok: true } | { ok: false; error: AppError }> {
  if (password === '') {
    const error: AppError = { code: 'invalid-input', message: 'Enter the password.', field: 'password' };
    patchAccountSettings(hub, accountId, { passwordError: error.message });
    return { ok: false, error };
  }
  patchAccountSettings(hub, accountId, { signingIn: true, passwordError: null });
  const result = await hub.client.call('accounts.updatePassword', { accountId, password });
  if (!result.ok) {
    const error = { ...result.error, message: withoutSecret(result.error.message, password) };
    patchAccountSettings(hub, accountId, { signingIn: false, passwordError: error.message });
    return { ok: false, error };
  }
  hub.store.setState((s) => ({
    accounts: s.accounts.map((a) => (a.account.id === accountId ? result.value : a)),
    accountSettings: s.accountSettings?.accountId === accountId ? null : s.accountSettings,
  }));
  showToast(hub, 'info', `Signed in to ${result.value.account.displayName} again.`);
  await Promise.all([loadAccounts(hub), loadCounts(hub)]);
  return { ok: true };
}

/** Removes the account and everything it brought in; the list falls back to All if it showed only that account. */
export async function removeAccount(hub: Hub, accountId: string): Promise<Result<null>> {
  const name = accountName(hub.store.getState(), accountId);
  patchAccountSettings(hub, accountId, { removeStep: 'removing', removeError: null });
  const result = await hub.client.call('accounts.remove', { accountId });
  if (!result.ok) {
    patchAccountSettings(hub, accountId, { removeStep: 'confirm', removeError: result.error.message });
    showToast(hub, 'error', `Could not remove ${name}: ${result.error.message}`);
    return result;
  }
  const state = hub.store.getState();
  const ofAccount = (item: InboxItem): boolean => item.accountId === accountId;
  const openGone = state.openId !== null && (state.detail?.item.accountId === accountId || findItem(state, state.openId)?.accountId === accountId);
  const selectedGone = state.selectedId !== null && findItem(state, state.selectedId)?.accountId === accountId;
  if (openGone) hub.seq.detail++;
  hub.store.setState((s) => ({
    accounts: s.accounts.filter((a) => a.account.id !== accountId),
    accountSettings: s.accountSettings?.accountId === accountId ? null : s.accountSettings,
    items: s.items.filter((i) => !ofAccount(i)),
    results: s.results === null ? null : s.results.filter((i) => !ofAccount(i)),
    ...(selectedGone ? { selectedId: null } : {}),
    ...(openGone ? { openId: null, detail: null, detailState: 'idle' as const, detailError: null } : {}),
  }));
  showToast(hub, 'info', `Removed ${name}.`);
  const showedIt = hub.store.getState().view.accountId === accountId;
  await Promise.all([loadAccounts(hub), loadCounts(hub), showedIt ? setView(hub, {}) : refreshVisible(hub)]);
  return result;
}

// ---------------------------------------------------------------- hub events and the connection

/** Everything the page shows, fetched anew: at start and after the connection comes back. */
export async function refreshAll(hub: Hub): Promise<void> {
  const first = hub.store.getState().listState === 'idle' && hub.store.getState().items.length === 0;
  await Promise.all([
    loadAccounts(hub),
    loadCounts(hub),
    first ? loadFirstPage(hub) : refreshVisible(hub),
    activeQuery(hub.store.getState()) === '' ? Promise.resolve() : runSearch(hub),
    hub.store.getState().detailState === 'error' ? reloadDetail(hub) : Promise.resolve(),
  ]);
}

/** True when a change in these accounts can alter the list the user is looking at. */
export function viewTouches(state: AppState, accountIds: ReadonlySet<string>): boolean {
  const { view } = state;
  if (view.accountId !== undefined) return accountIds.has(view.accountId);
  if (view.source === undefined) return true;
  for (const id of accountIds) {
    const source = sourceOfAccount(state, id);
    if (source === undefined || source === view.source) return true;
  }
  return false;
}

/** Subscribes the store to the hub's events; returns the unsubscribe. */
export function followHubEvents(hub: Hub, schedule: Schedule = frameOrTimeout): () => void {
  const changes = coalesce<string>(async (accountIds) => {
    const state = hub.store.getState();
    const work: Promise<void>[] = [loadCounts(hub)];
    if (viewTouches(state, accountIds)) work.push(refreshVisible(hub));
    if (activeQuery(state) !== '') work.push(runSearch(hub));
    await Promise.all(work);
  }, schedule);
  const offs = [
    hub.client.on('inbox.changed', (p) => changes.push(p.accountIds)),
    hub.client.on('account.status', (p) => setAccountStatus(hub, p.accountId, p.connection, p.activity)),
    hub.client.on('accounts.changed', () => {
      void loadAccounts(hub);
      changes.push([]);
    }),
    hub.client.on('service.status', (status) => setServiceStatus(hub, status)),
  ];
  return () => {
    for (const off of offs) off();
  };
}

export function setConnection(hub: Hub, connection: HubConnection): void {
  const was = hub.store.getState().connection;
  hub.store.setState({ connection });
  // Events sent while the socket was down are lost: fetch everything once it is back.
  if (was === 'offline' && connection === 'online') void refreshAll(hub);
}

/**
 * The Electron app's hub process died and its supervisor restarts it. Once it runs again, what it
 * announced meanwhile is lost: everything shown is fetched again, in place (view, selection, scroll).
 */
export function setServiceStatus(hub: Hub, service: ServiceStatus): void {
  const was = hub.store.getState().service.state;
  hub.store.setState({ service });
  if (was !== 'running' && service.state === 'running') void refreshAll(hub);
}
