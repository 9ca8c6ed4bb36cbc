import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { mailBatch } from '../../tests/support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import type { HubService } from '../../tests/support/hub-service.ts';
import { createHub, followHubEvents, loadMore, openItem, refreshAll, type Hub } from './actions.ts';
import { createAppStore } from './store.ts';

/** The Electron app's background service: the real hub behind the real supervisor, crashed and restarted by the test. */
let h: HubHarness;
let service: HubService;
let hub: Hub;
let work: AccountView;

function state() {
  return hub.store.getState();
}

beforeEach(async () => {
  h = await openHubHarness({ service: true });
  service = h.service!;
  h.mail.user('work', 'work password', mailBatch(250, { prefix: 'w' }));
  hub = createHub(h.client, createAppStore());
});

afterEach(async () => {
  await h.dispose();
});

describe('the background service', () => {
  it('shows it restarting, then refetches in place once it runs again', async () => {
    await service.start();
    work = await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'work', password: 'work password' });
    await refreshAll(hub);
    await loadMore(hub);
    const open = `${work.account.id}:w150`;
    await openItem(hub, open);
    followHubEvents(hub, (flush) => flush());

    await service.crash();
    expect(state().service).toEqual({ state: 'restarting', message: "Groundswell's background service stopped; restarting…" });
    // While it is down the page keeps what it shows, and a call waits for the next hub process.
    expect(state().items.length).toBe(200);
    const waiting = h.client.call('inbox.counts', {});
    h.mail.deliver('work', [{ id: 'w-meanwhile', sender: 'Ops', title: 'Arrived during the restart', snippet: 'Hello', timestamp: Date.UTC(2026, 0, 1), unread: true, priority: false }]);

    const lists = h.client.countCalls('inbox.list');
    await service.restart();
    await eventually('the mail that arrived meanwhile on top', () => state().items[0]?.title === 'Arrived during the restart');
    expect(state().service).toEqual({ state: 'running' });
    expect(await waiting).toMatchObject({ ok: true });
    expect(h.client.countCalls('inbox.list')).toBeGreaterThan(lists);
    expect(state().items.length).toBeGreaterThanOrEqual(200);
    expect(state().selectedId).toBe(open);
    expect(state().openId).toBe(open);
  });

  it('fetches nothing more when it says it runs as the app starts', async () => {
    followHubEvents(hub, (flush) => flush());
    const running = h.nextEvent('service.status', (s) => s.state === 'running');
    await service.start();
    await running;
    await h.client.idle();
    expect(state().service).toEqual({ state: 'running' });
    expect(h.client.calls).toEqual([]);
  });
});
