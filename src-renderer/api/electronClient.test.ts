import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubClient } from '../../src-shared/api.ts';
import { openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { electronClient, type PreloadBridge } from './electronClient.ts';

let h: HubHarness;

beforeEach(async () => {
  h = await openHubHarness();
});

afterEach(async () => {
  await h.dispose();
});

/** What the preload exposes, served by the real hub the way the main process serves it; events are the test's to send. */
function bridgeTo(hub: HubClient, events: ((event: string, payload: unknown) => void)[]): PreloadBridge {
  return {
    call: (name, params) => hub.call(name as never, params as never),
    onEvent: (listener) => {
      events.push(listener);
      return () => events.splice(events.indexOf(listener), 1);
    },
  };
}

describe('the Electron client', () => {
  it('passes calls and results through, and events to their listeners only', async () => {
    h.mail.user('me', 'pw', [{ id: 'm0', sender: 'Ops', title: 'Hello', snippet: 'Hi', timestamp: 1, unread: true, priority: false }]);
    const work = await h.addAccount('imap', { host: 'imap.example.com', user: 'me', password: 'pw' });
    const events: ((event: string, payload: unknown) => void)[] = [];
    const client = electronClient(bridgeTo(h.client, events));
    const counts = await client.call('inbox.counts', {});
    expect(counts).toEqual(await h.direct.call('inbox.counts', {}));
    expect(counts.ok && counts.value.byAccount[work.account.id]).toBe(1);
    const statuses: string[] = [];
    client.on('account.status', (p) => statuses.push(p.accountId));
    for (const emit of events) {
      emit('account.status', { accountId: 'a', connection: { state: 'stopped' } });
      emit('inbox.changed', { accountIds: ['b'] });
    }
    expect(statuses).toEqual(['a']);
  });

  it('turns a bridge that throws or answers nonsense into error values', async () => {
    const client = electronClient({
      call: async (name) => {
        if (name === 'inbox.counts') throw new Error('IPC channel closed');
        return 'nonsense' as never;
      },
      onEvent: () => () => {},
    });
    expect(await client.call('inbox.counts', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await client.call('accounts.list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
