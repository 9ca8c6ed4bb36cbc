/**
 * The list as a window onto the whole view: the scrollbar spans every item (`inbox.total`), and
 * the loaded stretch moves to wherever the user goes. End (or the scrollbar dragged to the bottom)
 * loads the oldest page directly, and scrolling up from there loads the pages above it, both by
 * keyset; a drag into the middle loads the page at that offset. Only one stretch is ever loaded,
 * so memory stays the same at 100 items or 100,000.
 */
import type { InboxQuery } from '../../src-shared/api.ts';
import { showToast, withPending, type Hub } from './actions.ts';

const WINDOW_PAGE = 100;

/** Counts the view's items, for the scrollbar; an answer for a view no longer shown is dropped. */
export async function loadTotal(hub: Hub): Promise<void> {
  const view = hub.store.getState().view;
  const result = await hub.client.call('inbox.total', view);
  if (!result.ok || hub.store.getState().view !== view) return;
  hub.store.setState({ total: result.value.total });
}

/** End: the oldest page, found from its end of the index, however long the list. */
export function jumpToOldest(hub: Hub): Promise<void> {
  return jump(hub, { from: 'oldest' }, (total, loaded) => Math.max(0, total - loaded));
}

/** A jump into the middle (the scrollbar dragged there): the page starting at that row. */
export function jumpToOffset(hub: Hub, index: number): Promise<void> {
  const offset = Math.max(0, Math.floor(index));
  return jump(hub, { offset }, () => offset);
}

async function jump(hub: Hub, where: Pick<InboxQuery, 'from' | 'offset'>, startOf: (total: number, loaded: number) => number): Promise<void> {
  const state = hub.store.getState();
  if (state.jumping || state.listState === 'loading') return;
  const seq = ++hub.seq.list;
  hub.store.setState({ jumping: true });
  // The count is known once the first page is shown; asked again only when it is not.
  const known = state.total;
  const [page, total] = await Promise.all([
    hub.client.call('inbox.list', { ...state.view, limit: WINDOW_PAGE, ...where }),
    known === undefined ? hub.client.call('inbox.total', state.view) : Promise.resolve(undefined),
  ]);
  if (seq !== hub.seq.list) return;
  if (!page.ok) {
    hub.store.setState({ jumping: false });
    showToast(hub, 'error', `Could not load that part of the list: ${page.error.message}`);
    return;
  }
  const count = total?.ok ? total.value.total : (known ?? 0);
  const items = withPending(hub, page.value.items);
  const previous = page.value.previous;
  hub.store.setState({
    items,
    next: page.value.next,
    previous,
    // Without a page above, this stretch starts at the newest item, whatever the count says.
    windowStart: previous === undefined ? 0 : startOf(count, items.length),
    total: count,
    jumping: false,
    loadingMore: false,
    loadingNewer: false,
  });
}

/** Scrolling up from a stretch further down: the page just above it. */
export async function loadNewer(hub: Hub): Promise<void> {
  const state = hub.store.getState();
  if (state.previous === undefined || state.loadingNewer || state.jumping || state.listState === 'loading') return;
  const seq = hub.seq.list;
  hub.store.setState({ loadingNewer: true });
  const result = await hub.client.call('inbox.list', { ...state.view, limit: WINDOW_PAGE, before: state.previous });
  if (seq !== hub.seq.list) return;
  if (!result.ok) {
    hub.store.setState({ loadingNewer: false });
    showToast(hub, 'error', `Could not load more: ${result.error.message}`);
    return;
  }
  hub.store.setState((s) => {
    const known = new Set(s.items.map((i) => i.id));
    const fresh = withPending(hub, result.value.items).filter((i) => !known.has(i.id));
    const previous = result.value.previous;
    return { items: [...fresh, ...s.items], previous, windowStart: previous === undefined ? 0 : Math.max(0, s.windowStart - fresh.length), loadingNewer: false };
  });
}

/**
 * New mail or a triage action while the user is down the list: the same stretch is read again from
 * the same row, and the count with it, so the rows they look at stay where they are.
 */
export async function refreshWindow(hub: Hub): Promise<void> {
  const seq = ++hub.seq.list;
  const { view, items, windowStart } = hub.store.getState();
  const want = Math.max(items.length, WINDOW_PAGE);
  const total = await hub.client.call('inbox.total', view);
  if (seq !== hub.seq.list || !total.ok) return;
  const start = Math.min(windowStart, Math.max(0, total.value.total - want));
  const rows = [];
  let query: InboxQuery = { ...view, limit: Math.min(500, want), offset: start };
  let next: string | undefined;
  let previous: string | undefined;
  for (let first = true; ; first = false) {
    const result = await hub.client.call('inbox.list', query);
    if (seq !== hub.seq.list || !result.ok) return;
    if (first) previous = result.value.previous;
    rows.push(...result.value.items);
    next = result.value.next;
    if (next === undefined || rows.length >= want) break;
    query = { ...view, limit: Math.min(500, want - rows.length), after: next };
  }
  const seen = new Set<string>();
  const unique = rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  hub.store.setState({ items: withPending(hub, unique), next, previous, windowStart: previous === undefined ? 0 : start, total: total.value.total });
}
