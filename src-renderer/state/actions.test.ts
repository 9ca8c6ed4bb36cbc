import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryHub, imapAccount, mailItems } from '../testing/memoryHub.ts';
import {
  PAGE_SIZE,
  addImapAccount,
  clearSearch,
  createHub,
  followHubEvents,
  loadMore,
  markUnread,
  moveSelection,
  openItem,
  refreshAll,
  refreshVisible,
  runSearch,
  setConnection,
  setQuery,
  setView,
  toggleUnread,
  type Hub,
} from './actions.ts';
import { createAppStore, visibleItems } from './store.ts';

let server: MemoryHub;
let hub: Hub;

function state() {
  return hub.store.getState();
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

/** Lets every answer already on its way land. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(() => {
  server = new MemoryHub();
  server.accounts = [imapAccount('work', 'Work'), imapAccount('home', 'Home')];
  server.items = [...mailItems('work', 250), ...mailItems('home', 5, Date.UTC(2025, 2, 3, 13))];
  hub = createHub(server, createAppStore());
});

describe('loading the inbox', () => {
  it('loads accounts, counts and the first page, then pages on with the keyset cursor', async () => {
    await refreshAll(hub);
    expect(state().accounts.map((a) => a.account.displayName)).toEqual(['Work', 'Home']);
    expect(state().counts?.all).toBe(server.counts().all);
    expect(state().items).toHaveLength(PAGE_SIZE);
    expect(state().items[0]?.id).toBe('home:0'); // newest first across accounts

    await loadMore(hub);
    await loadMore(hub);
    expect(state().items).toHaveLength(255);
    expect(state().next).toBeUndefined();
    expect(new Set(state().items.map((i) => i.id)).size).toBe(255);
    const calls = server.countCalls('inbox.list');
    await loadMore(hub); // nothing left: no call
    expect(server.countCalls('inbox.list')).toBe(calls);
  });

  it('shows one account or one source kind', async () => {
    await refreshAll(hub);
    await setView(hub, { accountId: 'home' });
    expect(state().items.map((i) => i.accountId)).toEqual(Array(5).fill('home'));
    await setView(hub, { source: 'chat' });
    expect(state().items).toEqual([]);
  });

  it('refetches as many rows as the user has scrolled through, with new mail on top', async () => {
    await refreshAll(hub);
    await loadMore(hub);
    expect(state().items).toHaveLength(200);
    server.items.push({ ...mailItems('work', 1)[0]!, id: 'work:new', timestamp: Date.UTC(2025, 2, 4), title: 'Fresh' });
    await refreshVisible(hub);
    expect(state().items.length).toBeGreaterThanOrEqual(200);
    expect(state().items[0]?.title).toBe('Fresh');
    expect(state().next).toBeDefined();
  });

  it('ignores a page that answers after the view changed', async () => {
    await refreshAll(hub);
    const stale = loadMore(hub);
    const fresh = setView(hub, { accountId: 'home' });
    await Promise.all([stale, fresh]);
    expect(state().items.every((i) => i.accountId === 'home')).toBe(true);
  });

  it('shows the hub error when the first page fails', async () => {
    server.failNext('inbox.list', { code: 'internal', message: 'Database is busy' });
    await refreshAll(hub);
    expect(state().listState).toBe('error');
    expect(state().listError).toBe('Database is busy');
  });
});

describe('reading and unread marks', () => {
  it('opening an unread item marks it read at once, in the list, the counts and the sidebar', async () => {
    await refreshAll(hub);
    const unread = state().items.find((i) => i.unread)!;
    const before = state().counts!;
    const opening = openItem(hub, unread.id);
    // Optimistic: visible before the hub answers.
    expect(state().items.find((i) => i.id === unread.id)?.unread).toBe(false);
    expect(state().counts?.all).toBe(before.all - 1);
    expect(state().counts?.byAccount[unread.accountId]).toBe((before.byAccount[unread.accountId] ?? 0) - 1);
    await opening;
    expect(server.items.find((i) => i.id === unread.id)?.unread).toBe(false);
    expect(state().openId).toBe(unread.id);
    expect(state().detail?.item.unread).toBe(false);
    expect(state().detail?.bodyText).toBe(unread.snippet);
  });

  it('rolls back and says so when marking read fails', async () => {
    await refreshAll(hub);
    const unread = state().items.find((i) => i.unread)!;
    const before = state().counts!.all;
    server.failNext('item.markRead', { code: 'connection-failed', message: 'The mail server is unreachable.' });
    await openItem(hub, unread.id);
    expect(state().items.find((i) => i.id === unread.id)?.unread).toBe(true);
    expect(state().detail?.item.unread).toBe(true);
    expect(state().counts?.all).toBe(before);
    expect(state().toasts.map((t) => [t.kind, t.text])).toEqual([['error', 'Could not mark as read: The mail server is unreachable.']]);
  });

  it('keeps the user’s mark when a refetch answers with the old flag while the call is pending', async () => {
    await refreshAll(hub);
    const read = state().items.find((i) => !i.unread)!;
    // The refetch is asked first, so the hub answers it before it sees markUnread.
    const refetch = refreshVisible(hub);
    const marking = markUnread(hub, [read.id]);
    await Promise.all([refetch, marking]);
    expect(state().items.find((i) => i.id === read.id)?.unread).toBe(true);
  });

  it('u toggles the selected item both ways', async () => {
    await refreshAll(hub);
    const item = state().items[1]!;
    await toggleUnread(hub, item.id);
    expect(server.items.find((i) => i.id === item.id)?.unread).toBe(!item.unread);
    await toggleUnread(hub, item.id);
    expect(server.items.find((i) => i.id === item.id)?.unread).toBe(item.unread);
  });

  it('moves the selection within the list bounds', async () => {
    await refreshAll(hub);
    expect(moveSelection(hub, 1)).toBe(0);
    expect(moveSelection(hub, -1)).toBe(0);
    moveSelection(hub, 1);
    expect(state().selectedId).toBe(state().items[1]?.id);
    expect(moveSelection(hub, 10_000)).toBe(state().items.length - 1);
  });
});

describe('search', () => {
  it('shows results while a query is present and the inbox again once cleared', async () => {
    await refreshAll(hub);
    setQuery(hub, 'subject 24');
    await runSearch(hub);
    expect(visibleItems(state()).map((i) => i.title).sort()).toEqual(['Subject 24', 'Subject 240', 'Subject 241', 'Subject 242', 'Subject 243', 'Subject 244', 'Subject 245', 'Subject 246', 'Subject 247', 'Subject 248', 'Subject 249']);
    clearSearch(hub);
    expect(visibleItems(state())).toBe(state().items);
  });

  it('drops the answer to a query the user has already changed', async () => {
    await refreshAll(hub);
    setQuery(hub, 'Sender 1');
    const first = runSearch(hub);
    setQuery(hub, 'Subject 3');
    const second = runSearch(hub);
    await Promise.all([first, second]);
    expect(state().resultsFor).toBe('Subject 3');
    expect(visibleItems(state()).every((i) => i.title.includes('Subject 3'))).toBe(true);
  });
});

describe('hub events', () => {
  it('refetches once per frame however many changes arrive', async () => {
    await refreshAll(hub);
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    const lists = server.countCalls('inbox.list');
    const counts = server.countCalls('inbox.counts');
    server.items.unshift({ ...mailItems('home', 1)[0]!, id: 'home:new', timestamp: Date.UTC(2026, 0, 1), title: 'Newest' });
    for (let i = 0; i < 50; i++) server.emit('inbox.changed', { accountIds: ['home'] });
    expect(frames.pending()).toBe(1);
    frames.flush();
    await settle();
    expect(server.countCalls('inbox.counts') - counts).toBe(1);
    expect(server.countCalls('inbox.list') - lists).toBe(1);
    expect(state().items[0]?.title).toBe('Newest');
  });

  it('skips the list refetch when the change is in an account the user is not looking at', async () => {
    await refreshAll(hub);
    await setView(hub, { accountId: 'home' });
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    const lists = server.countCalls('inbox.list');
    server.emit('inbox.changed', { accountIds: ['work'] });
    frames.flush();
    await settle();
    expect(server.countCalls('inbox.list')).toBe(lists);
  });

  it('updates an account’s status in place and reloads accounts when they change', async () => {
    await refreshAll(hub);
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    server.emit('account.status', { accountId: 'work', connection: { state: 'syncing', done: 2, total: 9 } });
    expect(state().accounts.find((a) => a.account.id === 'work')?.status).toEqual({ state: 'syncing', done: 2, total: 9 });
    server.accounts.push(imapAccount('third', 'Third'));
    server.emit('accounts.changed', {});
    await settle();
    expect(state().accounts.map((a) => a.account.id)).toContain('third');
  });

  it('fetches everything again when the connection comes back', async () => {
    await refreshAll(hub);
    setConnection(hub, 'offline');
    server.items.unshift({ ...mailItems('home', 1)[0]!, id: 'home:missed', timestamp: Date.UTC(2026, 0, 1), title: 'Missed while away' });
    setConnection(hub, 'online');
    await settle();
    expect(state().connection).toBe('online');
    expect(state().items[0]?.title).toBe('Missed while away');
  });

  it('shows the background service restarting, then refetches in place once it runs again', async () => {
    await refreshAll(hub);
    await loadMore(hub);
    await openItem(hub, 'work:150');
    followHubEvents(hub, manualFrames().schedule);
    const message = "Groundswell's background service stopped; restarting…";
    server.emit('service.status', { state: 'restarting', message });
    expect(state().service).toEqual({ state: 'restarting', message });
    server.items.unshift({ ...mailItems('home', 1)[0]!, id: 'home:meanwhile', timestamp: Date.UTC(2026, 0, 1), title: 'Arrived during the restart' });
    const lists = server.countCalls('inbox.list');
    server.emit('service.status', { state: 'running' });
    await settle();
    expect(state().service).toEqual({ state: 'running' });
    expect(server.countCalls('inbox.list')).toBeGreaterThan(lists);
    expect(state().items[0]?.title).toBe('Arrived during the restart');
    expect(state().items.length).toBeGreaterThanOrEqual(200);
    expect(state().selectedId).toBe('work:150');
    expect(state().openId).toBe('work:150');
    // A second 'running' (the app's first start) changes nothing.
    const again = server.countCalls('inbox.list');
    server.emit('service.status', { state: 'running' });
    await settle();
    expect(server.countCalls('inbox.list')).toBe(again);
  });
});

describe('adding an account', () => {
  const input = { displayName: 'New', host: 'imap.example.org', port: 993, security: 'tls' as const, user: 'u', password: 'secret' };

  it('returns the hub’s error with its field and leaves the dialog open', async () => {
    hub.store.setState({ addAccountOpen: true });
    server.failNext('accounts.addImap', { code: 'auth-failed', message: 'The server refused this user name or password.', field: 'password' });
    const result = await addImapAccount(hub, input);
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The server refused this user name or password.', field: 'password' } });
    expect(state().addAccountOpen).toBe(true);
  });

  it('closes the dialog and shows the account on success', async () => {
    await refreshAll(hub);
    hub.store.setState({ addAccountOpen: true });
    const result = await addImapAccount(hub, input);
    expect(result.ok).toBe(true);
    expect(state().addAccountOpen).toBe(false);
    expect(state().accounts.map((a) => a.account.displayName)).toContain('New');
    expect(JSON.stringify(state())).not.toContain('secret');
  });
});

describe('selectors', () => {
  it('give the same value for the same state, so React does not re-render forever', () => {
    setQuery(hub, 'pending query');
    expect(visibleItems(state())).toBe(visibleItems(state()));
  });
});

describe('after the connection comes back', () => {
  it('fetches the open message again if it failed to load', async () => {
    await refreshAll(hub);
    const item = state().items[2]!;
    server.failNext('item.get', { code: 'connection-failed', message: 'Lost connection to the Groundswell hub; retrying…' });
    await openItem(hub, item.id);
    expect(state().detailState).toBe('error');
    await refreshAll(hub);
    expect(state().detailState).toBe('idle');
    expect(state().detail?.item.id).toBe(item.id);
  });

  it('shows only the latest of two quickly opened items', async () => {
    await refreshAll(hub);
    const [a, b] = [state().items[3]!, state().items[4]!];
    await Promise.all([openItem(hub, a.id), openItem(hub, b.id)]);
    expect(state().openId).toBe(b.id);
    expect(state().detail?.item.id).toBe(b.id);
  });
});
