import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedEntries } from '../../tests/support/fake-kinds/feeds.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { addAccount } from './accountActions.ts';
import { createHub, followHubEvents, refreshAll, type Hub } from './actions.ts';
import { exportOpml, importOpml } from './feedActions.ts';
import { createAppStore } from './store.ts';
import { followAttentionEvents } from './attentionActions.ts';

const STATUS = 'https://status.example.com/feed.xml';

let h: HubHarness;
let hub: Hub;

function state() {
  return hub.store.getState();
}

function feed(url: string) {
  return { kind: 'feed', input: { url }, secrets: [] };
}

beforeEach(async () => {
  h = await openHubHarness();
  h.feeds.feed(STATUS, 'Example status', feedEntries(3));
  hub = createHub(h.client, createAppStore());
  await refreshAll(hub);
});

afterEach(async () => {
  await h.dispose();
});

describe('following a feed', () => {
  it('fetches it first, names it by its title, and shows what it had as read', async () => {
    hub.store.setState({ addAccountOpen: true });
    expect(await addAccount(hub, feed(STATUS))).toEqual({ ok: true });
    expect(state().addAccountOpen).toBe(false);
    expect(state().toasts.map((t) => t.text)).toEqual(['Following Example status. Its current entries arrive as read; new ones as unread.']);
    const [account] = state().accounts;
    expect(account?.account).toMatchObject({ kind: 'feed', source: 'feed', displayName: 'Example status', settings: { url: STATUS } });
    await eventually('its entries in the list', async () => {
      await refreshAll(hub);
      return state().items.length === 3;
    });
    expect(state().items.every((i) => !i.unread)).toBe(true);
  });

  it('follows a page to the feed it links to', async () => {
    h.feeds.page('https://status.example.com/', STATUS);
    expect(await addAccount(hub, feed('https://status.example.com/'))).toEqual({ ok: true });
    expect(state().accounts[0]?.account.settings).toMatchObject({ url: STATUS });
  });

  it('says beside the address when nothing is there, or it is followed already', async () => {
    const missing = await addAccount(hub, feed('https://status.example.com/nothing.xml'));
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'url' } });
    await addAccount(hub, feed(STATUS));
    // The same feed, written differently.
    const again = await addAccount(hub, feed('HTTPS://status.example.com/feed.xml'));
    expect(again).toEqual({ ok: false, error: { code: 'invalid-input', message: 'You already follow this feed as "Example status".', field: 'url' } });
  });

  it('shows new entries as unread and alerts about them once the feed notifies', async () => {
    const added = await h.addAccount('feed', { url: STATUS, alertLevel: 'notify' });
    followHubEvents(hub, (flush) => flush());
    // The hub's notification, shown as a toast where the page has no desktop notifications.
    followAttentionEvents(hub);
    h.feeds.publish(STATUS, [{ guid: 'incident-new', title: 'Database outage', summary: 'We are on it', timestamp: Date.UTC(2026, 0, 1) }]);
    await eventually('the alert', () => state().toasts.some((t) => t.text === 'Example status: Database outage'));
    await eventually('the new entry on top, unread', () => state().items[0]?.title === 'Database outage' && state().items[0]?.unread);
    expect(state().counts?.byAccount[added.account.id]).toBe(1);
  });
});

describe('OPML', () => {
  it('imports subscriptions without fetching them, skipping what is followed already, and exports them again', async () => {
    await addAccount(hub, feed(STATUS));
    const opml = `<?xml version="1.0"?><opml version="2.0"><body>
      <outline type="rss" text="Status" xmlUrl="${STATUS}"/>
      <outline text="Ops"><outline type="rss" text="CI" xmlUrl="https://ci.example.com/feed.xml"/></outline>
    </body></opml>`;
    const result = await importOpml(hub, opml);
    expect(result).toMatchObject({ ok: true, value: { added: 1, skipped: [{ url: STATUS }] } });
    expect(state().toasts.at(-1)?.text).toBe('Imported 1 feed; skipped 1.');
    expect(state().accounts.map((a) => a.account.displayName).sort()).toEqual(['CI', 'Example status']);
    expect(state().accounts.find((a) => a.account.displayName === 'CI')?.account.settings).toMatchObject({ folder: 'Ops' });
    const exported = await exportOpml(hub);
    expect(exported).toContain('xmlUrl="https://ci.example.com/feed.xml"');
    expect(exported).toContain(`xmlUrl="${STATUS}"`);
  });

  it('says what is wrong with a file that is not OPML', async () => {
    const result = await importOpml(hub, 'not opml at all');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'opml' } });
    expect(state().accounts).toEqual([]);
  });
});
