/**
 * The CLI speaks the same contract as the UI. With a hub already running on the profile it goes
 * over that hub's WebSocket (this module, loaded only then); otherwise it opens the hub in this
 * process (in-process-client.ts).
 */
import WebSocket from 'ws';
import type { CallName, CallParams, CallResult, EventName, HubClient, HubEvents, ServerFrame } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';

export interface RemoteClient extends HubClient {
  close(): void;
  /** Settles when the connection ends, by either side (the hub quit). */
  readonly closed: Promise<void>;
}

export async function connectRemote(port: number, token: string): Promise<RemoteClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: CallResult<CallName>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  ws.on('message', (data) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data.toString()) as ServerFrame;
    } catch {
      // A frame we cannot read answers nothing we asked; the calls it might have answered fail when the hub closes.
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    if ('id' in frame) {
      if (typeof frame.id !== 'number') return;
      pending.get(frame.id)?.(frame.result as CallResult<CallName>);
      pending.delete(frame.id);
    } else if ('event' in frame) {
      for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
    }
  });
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  ws.on('close', () => {
    markClosed();
    for (const resolve of pending.values()) {
      resolve(fail('connection-failed', 'The running Groundswell hub closed the connection.') as CallResult<CallName>);
    }
    pending.clear();
  });
  return {
    call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: CallResult<CallName>) => void);
        ws.send(JSON.stringify({ id, call: name, params }));
      });
    },
    on<E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    close: () => ws.close(),
    closed,
  };
}
