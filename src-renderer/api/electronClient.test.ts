import { describe, expect, it } from 'vitest';
import { ok } from '../../src-shared/result.ts';
import { MemoryHub } from '../testing/memoryHub.ts';
import { electronClient, type PreloadBridge } from './electronClient.ts';

/** What the preload exposes, served by a MemoryHub the way the main process serves the hub. */
function bridgeTo(hub: MemoryHub, events: ((event: string, payload: unknown) => void)[]): PreloadBridge {
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
    const hub = new MemoryHub();
    const events: ((event: string, payload: unknown) => void)[] = [];
    const client = electronClient(bridgeTo(hub, events));
    expect(await client.call('inbox.counts', {})).toEqual(ok(hub.counts()));
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
