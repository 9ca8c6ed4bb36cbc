import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientFrame, HubClient, ServerFrame } from '../../src-shared/api.ts';
import { ok } from '../../src-shared/result.ts';
import { openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { LOST_CONNECTION, socketClient, socketUrl, type SocketConnection, type SocketLike } from './socketClient.ts';

/**
 * The server end of an in-process socket: answers frames from the real hub the way `serve`
 * does, and lets the test open and drop the connection.
 */
class LoopbackSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly received: ClientFrame[] = [];
  /** When false, frames are kept unanswered, as if the hub were slow. */
  answering = true;
  private readonly hub: HubClient;

  constructor(hub: HubClient) {
    this.hub = hub;
  }

  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }

  push(frame: ServerFrame | string): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    const frame = JSON.parse(data) as ClientFrame;
    this.received.push(frame);
    if (!this.answering) return;
    void this.hub.call(frame.call, frame.params as never).then((result) => this.push({ id: frame.id, result }));
  }

  close(): void {
    this.drop();
  }
}

let h: HubHarness;
let sockets: LoopbackSocket[];
let timers: (() => void)[];
let delays: number[];
let states: SocketConnection[];

function start() {
  return socketClient({
    url: 'ws://127.0.0.1:1/api',
    createSocket: () => {
      const s = new LoopbackSocket(h.client);
      sockets.push(s);
      return s;
    },
    onConnection: (s) => states.push(s),
    setTimer: (fn, ms) => {
      timers.push(fn);
      delays.push(ms);
    },
  });
}

beforeEach(async () => {
  h = await openHubHarness();
  sockets = [];
  timers = [];
  delays = [];
  states = [];
});

afterEach(async () => {
  await h.dispose();
});

async function hubCounts() {
  return h.direct.call('inbox.counts', {});
}

describe('the serve WebSocket client', () => {
  it('builds the address from the page location', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api');
    expect(socketUrl({ protocol: 'https:', host: 'example.test' })).toBe('wss://example.test/api');
  });

  it('sends calls made while connecting once the socket opens, and matches answers by id', async () => {
    const client = start();
    const counts = client.call('inbox.counts', {});
    const list = client.call('inbox.list', { limit: 5 });
    expect(sockets[0]?.received).toEqual([]);
    sockets[0]?.accept();
    expect(sockets[0]?.received.map((f) => f.call)).toEqual(['inbox.counts', 'inbox.list']);
    expect(await counts).toEqual(await hubCounts());
    expect(await list).toEqual(ok({ items: [] }));
    expect(states).toEqual(['online']);
  });

  it('hands events to listeners and ignores frames it cannot read', () => {
    const client = start();
    sockets[0]?.accept();
    const seen: string[][] = [];
    const off = client.on('inbox.changed', (p) => seen.push(p.accountIds));
    sockets[0]?.push('not json');
    sockets[0]?.push({ event: 'inbox.changed', payload: { accountIds: ['a'] } });
    off();
    sockets[0]?.push({ event: 'inbox.changed', payload: { accountIds: ['b'] } });
    expect(seen).toEqual([['a']]);
  });

  it('fails pending calls as values when the connection drops, then reconnects with growing backoff', async () => {
    const client = start();
    sockets[0]!.accept();
    sockets[0]!.answering = false;
    const pending = client.call('inbox.counts', {});
    sockets[0]!.drop();
    expect(await pending).toEqual({ ok: false, error: { code: 'connection-failed', message: LOST_CONNECTION } });
    expect(client.connection()).toBe('offline');
    // While offline a call fails at once instead of hanging.
    expect(await client.call('inbox.counts', {})).toMatchObject({ ok: false, error: { code: 'connection-failed' } });

    timers.shift()!();
    sockets[1]!.drop(); // the first retry fails too
    timers.shift()!();
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    sockets[2]!.accept();
    expect(states).toEqual(['online', 'offline', 'online']);
    expect(await client.call('inbox.counts', {})).toEqual(await hubCounts());
    client.close();
    expect(timers).toEqual([]);
  });

  it('treats an answer of the wrong shape as an error value', async () => {
    const client = start();
    sockets[0]!.accept();
    sockets[0]!.answering = false;
    const call = client.call('inbox.counts', {});
    sockets[0]!.push(JSON.stringify({ id: sockets[0]!.received[0]!.id, result: { ok: 'yes' } }));
    expect(await call).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
