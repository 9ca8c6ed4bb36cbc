/**
 * The `serve` transport: one WebSocket to /api carrying ClientFrame/ServerFrame JSON. It
 * reconnects with backoff; calls in flight when the socket drops fail as values, never hang.
 */
import type { ClientFrame, HubClient } from '../../src-shared/api.ts';
import { fail, type Result } from '../../src-shared/result.ts';
import { createEventFanout, isResultShape } from './events.ts';

export const LOST_CONNECTION = 'Lost connection to the Groundswell hub; retrying…';

/** The part of the DOM WebSocket this client uses, so another implementation can stand in. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketConnection = 'connecting' | 'online' | 'offline';

export interface SocketClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  onConnection?: (state: SocketConnection) => void;
  /** Delay before reconnect attempt `n` (0-based). */
  backoff?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export interface SocketClient extends HubClient {
  connection(): SocketConnection;
  /** Stops reconnecting and fails whatever is pending. */
  close(): void;
}

const OPEN = 1;

export function defaultBackoff(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** attempt);
}

export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
}

export function socketClient(options: SocketClientOptions): SocketClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const backoff = options.backoff ?? defaultBackoff;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const events = createEventFanout();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  /** Frames asked for while the socket is still opening; sent on open. */
  const queued: string[] = [];
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: SocketConnection = 'connecting';
  let attempt = 0;
  let closed = false;

  const setState = (next: SocketConnection): void => {
    if (next === state) return;
    state = next;
    options.onConnection?.(next);
  };

  const failPending = (): void => {
    const waiting = [...pending.values()];
    pending.clear();
    queued.length = 0;
    for (const resolve of waiting) resolve(fail('connection-failed', LOST_CONNECTION));
  };

  const onFrame = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    if (typeof f.id === 'number') {
      const resolve = pending.get(f.id);
      if (resolve === undefined) return;
      pending.delete(f.id);
      resolve(isResultShape(f.result) ? (f.result as Result<unknown>) : fail('internal', 'The hub sent an unreadable answer.'));
    } else if (typeof f.event === 'string') {
      events.emit(f.event, f.payload);
    }
  };

  const connect = (): void => {
    if (closed) return;
    let ws: SocketLike;
    try {
      ws = createSocket(options.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      setState('online');
      for (const frame of queued.splice(0)) ws.send(frame);
    };
    ws.onmessage = (ev) => {
      if (socket === ws) onFrame(ev.data);
    };
    ws.onerror = () => {
      // A close always follows; reconnecting happens there, once.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending();
      if (closed) return;
      setState('offline');
      scheduleReconnect();
    };
  };

  const scheduleReconnect = (): void => {
    if (closed) return;
    const delay = backoff(attempt++);
    setTimer(connect, delay);
  };

  connect();

  return {
    call(name, params) {
      if (closed || state === 'offline') return Promise.resolve(fail('connection-failed', LOST_CONNECTION)) as never;
      const id = nextId++;
      const frame: ClientFrame = { id, call: name, params };
      const text = JSON.stringify(frame);
      return new Promise((resolve) => {
        pending.set(id, resolve as (r: Result<unknown>) => void);
        if (socket !== null && socket.readyState === OPEN) socket.send(text);
        else queued.push(text);
      }) as never;
    },
    on: events.on,
    connection: () => state,
    close() {
      closed = true;
      const ws = socket;
      socket = null;
      failPending();
      ws?.close();
    },
  };
}
