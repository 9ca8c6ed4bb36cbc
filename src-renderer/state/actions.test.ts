import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { mailBatch, type FakeMail } from '../../tests/support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import {
  PAGE_SIZE,
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
  setSearchOrder,
  setSearchScope,
  setView,
  toggleUnread,
  type Hub,
} from './actions.ts';
import { addAccount, loadKinds } from './accountActions.ts';
import { createAppStore, visibleItems } from './store.ts';

let h: HubHarness;
let hub: Hub;
let work: AccountView;
let home: AccountView;

function state() {
  return hub.store.getState();
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

function mail(id: string, title: string, timestamp: number): FakeMail {
  return { id, sender: 'Ops', title, snippet: `${title}, in short`, timestamp, unread: true, priority: false };
}

/** Whether the hub holds the item as unread. */
async function unreadInHub(itemId: string): Promise<boolean | undefined> {
  const listed = await h.direct.call('inbox.list', { limit: 500 });
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.items.find((i) => i.id === itemId)?.unread;
}

/** The server's flag for the item, on whichever mailbox holds it. */
function unreadOnServer(itemId: string): boolean | undefined {
  const user = itemId.startsWith(`${work.account.id}:`) ? 'work' : 'home';
  return h.mail.mailbox(user).find((m) => itemId.endsWith(`:${m.id}`))?.unread;
}

async function hubCounts() {
  const counts = await h.direct.call('inbox.counts', {});
  if (!counts.ok) throw new Error(counts.error.message);
  return counts.value;
}

beforeEach(async () => {
  h = await openHubHarness();
  h.mail.user('work', 'work password', mailBatch(250, { prefix: 'w' }));
  h.mail.user('home', 'home password', mailBatch(5, { prefix: 'h', newest: Date.UTC(2025, 2, 3, 13) }));
  work = await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'work', password: 'work password' });
  home = await h.addAccount('imap', { displayName: 'Home', host: 'imap.example.com', user: 'home', password: 'home password' });
  hub = createHub(h.client, createAppStore());
});

afterEach(async () => {
  await h.dispose();
});

describe('loading the inbox', () => {
  it('loads accounts, counts and the first page, then pages on with the keyset cursor', async () => {
    await refreshAll(hub);
    expect(state().accounts.map((a) => a.account.displayName)).toEqual(['Work', 'Home']);
    expect(state().counts).toEqual(await hubCounts());
    expect(state().items).toHaveLength(PAGE_SIZE);
    expect(state().items[0]?.id).toBe(`${home.account.id}:h0`); // newest first across accounts

    await loadMore(hub);
    await loadMore(hub);
    expect(state().items).toHaveLength(255);
    expect(state().next).toBeUndefined();
    expect(new Set(state().items.map((i) => i.id)).size).toBe(255);
    const calls = h.client.countCalls('inbox.list');
    await loadMore(hub); // nothing left: no call
    expect(h.client.countCalls('inbox.list')).toBe(calls);
  });

  it('shows one account or one source kind', async () => {
    await refreshAll(hub);
    await setView(hub, { accountId: home.account.id });
    expect(state().items.map((i) => i.accountId)).toEqual(Array(5).fill(home.account.id));
    await setView(hub, { source: 'chat' });
    expect(state().items).toEqual([]);
  });

  it('refetches as many rows as the user has scrolled through, with new mail on top', async () => {
    await refreshAll(hub);
    await loadMore(hub);
    expect(state().items).toHaveLength(200);
    h.mail.deliver('work', [mail('w-new', 'Fresh', Date.UTC(2025, 2, 4))]);
    await eventually('the hub to store the new mail', async () => (await unreadInHub(`${work.account.id}:w-new`)) === true);
    await refreshVisible(hub);
    expect(state().items.length).toBeGreaterThanOrEqual(200);
    expect(state().items[0]?.title).toBe('Fresh');
    expect(state().next).toBeDefined();
  });

  it('ignores a page that answers after the view changed', async () => {
    await refreshAll(hub);
    // The page of All answers only after Home's first page has landed.
    h.client.hold('inbox.list', 1);
    const stale = loadMore(hub);
    const fresh = setView(hub, { accountId: home.account.id });
    await fresh;
    h.client.release('inbox.list');
    await stale;
    expect(state().items.map((i) => i.accountId)).toEqual(Array(5).fill(home.account.id));
  });

  it('shows the hub error when the first page fails', async () => {
    h.client.failNext('inbox.list', { code: 'internal', message: 'Database is busy' });
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
    expect(await unreadInHub(unread.id)).toBe(false);
    expect(unreadOnServer(unread.id)).toBe(false);
    expect(state().openId).toBe(unread.id);
    expect(state().detail?.item.unread).toBe(false);
    expect(state().detail?.bodyText).toBe(unread.snippet);
  });

  it('rolls back and says so when the server refuses the mark for good', async () => {
    await refreshAll(hub);
    const unread = state().items.find((i) => i.unread)!;
    const before = state().counts!.all;
    h.mail.failNext('markRead', { code: 'protocol', message: 'The mailbox is read-only.' });
    await openItem(hub, unread.id);
    expect(state().items.find((i) => i.id === unread.id)?.unread).toBe(true);
    expect(state().detail?.item.unread).toBe(true);
    expect(state().counts?.all).toBe(before);
    // The hub undid it too, and its message names the account.
    expect(await unreadInHub(unread.id)).toBe(true);
    expect(state().toasts.map((t) => t.kind)).toEqual(['error']);
    const name = unread.accountId === work.account.id ? 'Work' : 'Home';
    expect(state().toasts[0]?.text).toBe(`Could not mark as read: The server refused this, so it was undone here too: ${name}: The mailbox is read-only.`);
  });

  it('keeps the mark when the server cannot be reached, and the hub sends it once the server is back', async () => {
    await refreshAll(hub);
    const unread = state().items.find((i) => i.unread)!;
    h.mail.failNext('markRead', { code: 'connection-failed', message: 'The mail server is unreachable.' });
    await openItem(hub, unread.id);
    expect(state().items.find((i) => i.id === unread.id)?.unread).toBe(false);
    expect(await unreadInHub(unread.id)).toBe(false);
    expect(unreadOnServer(unread.id)).toBe(true);
    expect(state().toasts).toEqual([]);
    await h.direct.call('sync.once', { accountId: unread.accountId });
    await eventually('the mark to reach the server', () => unreadOnServer(unread.id) === false);
  });

  it('keeps the user’s mark when a refetch answers with the old flag while the call is pending', async () => {
    await refreshAll(hub);
    const read = state().items.find((i) => !i.unread)!;
    h.client.hold('item.markUnread');
    const marking = markUnread(hub, [read.id]);
    // The hub has not seen the mark yet: this page still says "read".
    await refreshVisible(hub);
    expect(state().items.find((i) => i.id === read.id)?.unread).toBe(true);
    h.client.release('item.markUnread');
    await marking;
    expect(state().items.find((i) => i.id === read.id)?.unread).toBe(true);
    expect(await unreadInHub(read.id)).toBe(true);
  });

  it('u toggles the selected item both ways', async () => {
    await refreshAll(hub);
    const item = state().items[1]!;
    await toggleUnread(hub, item.id);
    expect(await unreadInHub(item.id)).toBe(!item.unread);
    expect(unreadOnServer(item.id)).toBe(!item.unread);
    await toggleUnread(hub, item.id);
    expect(await unreadInHub(item.id)).toBe(item.unread);
    expect(unreadOnServer(item.id)).toBe(item.unread);
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
    // The hub matches whole words (the word being typed as a prefix from three letters on), not substrings.
    setQuery(hub, 'subject 24');
    await runSearch(hub);
    expect(visibleItems(state()).map((i) => i.title)).toEqual(['Subject 24']);
    clearSearch(hub);
    expect(visibleItems(state())).toBe(state().items);
  });

  it('searches every source unless narrowed to the selected account, and widens again in one step', async () => {
    await refreshAll(hub);
    await setView(hub, { accountId: home.account.id });
    setQuery(hub, 'subject');
    await runSearch(hub);
    const everywhere = state().searchMeta!.total;
    expect(new Set(visibleItems(state()).map((i) => i.accountId))).toEqual(new Set([work.account.id, home.account.id]));
    await setSearchScope(hub, 'view');
    expect(visibleItems(state()).map((i) => i.accountId)).toEqual(Array(5).fill(home.account.id));
    expect(state().searchMeta).toMatchObject({ total: 5, totalCapped: false, terms: [{ text: 'subject', prefix: true }] });
    await setSearchScope(hub, 'all');
    expect(state().searchMeta!.total).toBe(everywhere);
    await setSearchOrder(hub, 'newest');
    const times = visibleItems(state()).map((i) => i.timestamp);
    expect(times).toEqual(times.toSorted((a, b) => b - a));
  });

  it('drops the answer to a query the user has already changed', async () => {
    await refreshAll(hub);
    // The first query's answer lands after the second one's.
    h.client.hold('inbox.search', 1);
    setQuery(hub, 'Sender 1');
    const first = runSearch(hub);
    setQuery(hub, 'Subject 3');
    await runSearch(hub);
    h.client.release('inbox.search');
    await first;
    expect(state().resultsFor).toBe('Subject 3');
    expect(visibleItems(state()).map((i) => i.title)).toEqual(['Subject 3', 'Subject 3']);
  });
});

describe('hub events', () => {
  it('refetches once per frame however many changes arrive', async () => {
    await refreshAll(hub);
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    const lists = h.client.countCalls('inbox.list');
    const counts = h.client.countCalls('inbox.counts');
    // Three separate inbox.changed events (the hub batches bursts, so each waits for its own).
    for (const day of [1, 2, 3]) {
      const changed = h.nextEvent('inbox.changed', (p) => p.accountIds.includes(home.account.id));
      h.mail.deliver('home', [mail(`h-new-${day}`, `Newest ${day}`, Date.UTC(2026, 0, day))]);
      await changed;
    }
    expect(frames.pending()).toBe(1);
    frames.flush();
    await eventually('the newest mail on top', () => state().items[0]?.title === 'Newest 3');
    expect(h.client.countCalls('inbox.counts') - counts).toBe(1);
    expect(h.client.countCalls('inbox.list') - lists).toBe(1);
    expect(state().counts).toEqual(await hubCounts());
  });

  it('skips the list refetch when the change is in an account the user is not looking at', async () => {
    await refreshAll(hub);
    await setView(hub, { accountId: home.account.id });
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    const lists = h.client.countCalls('inbox.list');
    const counts = h.client.countCalls('inbox.counts');
    const changed = h.nextEvent('inbox.changed', (p) => p.accountIds.includes(work.account.id));
    h.mail.deliver('work', [mail('w-new', 'Fresh', Date.UTC(2026, 0, 1))]);
    await changed;
    frames.flush();
    await eventually('the counts to be fetched again', () => h.client.countCalls('inbox.counts') > counts);
    expect(h.client.countCalls('inbox.list')).toBe(lists);
  });

  it('updates an account’s status in place and reloads accounts when they change', async () => {
    await refreshAll(hub);
    const frames = manualFrames();
    followHubEvents(hub, frames.schedule);
    h.mail.goAway('work', 'The mail server stopped answering.');
    await eventually('Work to show offline', () => state().accounts.find((a) => a.account.id === work.account.id)?.status.state === 'offline');
    expect(state().accounts.find((a) => a.account.id === work.account.id)?.status).toMatchObject({ state: 'offline', reason: 'The mail server stopped answering.' });
    h.mail.user('third', 'third password');
    const third = await h.addAccount('imap', { displayName: 'Third', host: 'imap.example.com', user: 'third', password: 'third password' });
    await eventually('the new account to show', () => state().accounts.some((a) => a.account.id === third.account.id));
  });

  it('fetches everything again when the connection comes back', async () => {
    await refreshAll(hub);
    setConnection(hub, 'offline');
    h.mail.deliver('home', [mail('h-missed', 'Missed while away', Date.UTC(2026, 0, 1))]);
    setConnection(hub, 'online');
    await eventually('the missed mail on top', () => state().items[0]?.title === 'Missed while away');
    expect(state().connection).toBe('online');
    expect(state().counts).toEqual(await hubCounts());
  });

});

describe('adding an account', () => {
  const input = { displayName: 'New', host: 'imap.example.org', port: 993, security: 'tls' as const, user: 'new', password: 'secret' };

  beforeEach(() => {
    h.mail.user('new', 'secret');
  });

  it('returns the server’s refusal beside the password and leaves the dialog open', async () => {
    hub.store.setState({ addAccountOpen: true });
    const result = await addAccount(hub, { kind: 'imap', input: { ...input, password: 'wrong' }, secrets: ['wrong'] });
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The server refused this user name or password.', field: 'password' } });
    expect(state().addAccountOpen).toBe(true);
    expect(h.client.paramsOf('accounts.add')).toEqual([{ kind: 'imap', input: { ...input, password: 'wrong' } }]);
  });

  it('returns what the kind refuses beside its field, before any server is asked', async () => {
    hub.store.setState({ addAccountOpen: true });
    const result = await addAccount(hub, { kind: 'imap', input: { ...input, port: 0 }, secrets: [input.password] });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'port' } });
    expect(state().addAccountOpen).toBe(true);
  });

  it('offers the kinds the hub runs, with their fields as the kinds describe them', async () => {
    await loadKinds(hub);
    expect(state().kinds?.map((k) => [k.kind, k.source])).toEqual([
      ['imap', 'mail'],
      ['matrix', 'chat'],
      ['feed', 'feed'],
    ]);
    const imap = state().kinds?.find((k) => k.kind === 'imap');
    expect(imap?.fields.find((f) => f.name === 'password')).toMatchObject({ type: 'secret', required: true });
  });

  it('closes the dialog and shows the account on success', async () => {
    await refreshAll(hub);
    hub.store.setState({ addAccountOpen: true });
    const result = await addAccount(hub, { kind: 'imap', input, secrets: [input.password] });
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
    h.client.failNext('item.get', { code: 'connection-failed', message: 'Lost connection to the Groundswell hub; retrying…' });
    await openItem(hub, item.id);
    expect(state().detailState).toBe('error');
    await refreshAll(hub);
    expect(state().detailState).toBe('idle');
    expect(state().detail?.item.id).toBe(item.id);
  });

  it('shows only the latest of two quickly opened items', async () => {
    await refreshAll(hub);
    const [a, b] = [state().items[3]!, state().items[4]!];
    // The first item's body arrives last.
    h.client.hold('item.get', 1);
    const first = openItem(hub, a.id);
    await openItem(hub, b.id);
    h.client.release('item.get');
    await first;
    expect(state().openId).toBe(b.id);
    expect(state().detail?.item.id).toBe(b.id);
  });
});
