import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectToParent, hubProcessArgs, isClientFrame, isShutdown, parseHubProcessArgs } from './protocol.ts';

describe('the hub process protocol', () => {
  it('passes its folders as arguments that survive spaces and equals signs', () => {
    const args = { profileDir: '/home/a b/Groundswell=x', uiDir: '/opt/Groundswell/resources/app.asar/dist/renderer' };
    expect(parseHubProcessArgs(hubProcessArgs(args))).toEqual(args);
    expect(() => parseHubProcessArgs(['--profile=/p'])).toThrow(/usage/);
  });

  it("talks over Electron's parentPort when there is one, unwrapping { data }", async () => {
    const port = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void; sent: unknown[] };
    port.sent = [];
    port.postMessage = (m) => void port.sent.push(m);
    const channel = connectToParent({ parentPort: port } as unknown as NodeJS.Process);
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    port.emit('message', { data: { id: 1, call: 'accounts.list', params: {} }, ports: [] });
    await channel.send({ control: 'ready', pid: 7 });
    expect(received).toEqual([{ id: 1, call: 'accounts.list', params: {} }]);
    expect(port.sent).toEqual([{ control: 'ready', pid: 7 }]);
  });

  it("falls back to Node's IPC channel, and says so when there is neither", async () => {
    const proc = new EventEmitter() as EventEmitter & { connected: boolean; send: (m: unknown, a: unknown, b: unknown, done: () => void) => boolean };
    const sent: unknown[] = [];
    proc.connected = true;
    proc.send = (m, _a, _b, done) => {
      sent.push(m);
      done();
      return true;
    };
    const channel = connectToParent(proc as unknown as NodeJS.Process);
    let gone = false;
    channel.onGone(() => (gone = true));
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    proc.emit('message', { control: 'shutdown' });
    await channel.send({ event: 'accounts.changed', payload: {} });
    proc.emit('disconnect');
    expect(received).toEqual([{ control: 'shutdown' }]);
    expect(sent).toEqual([{ event: 'accounts.changed', payload: {} }]);
    expect(gone).toBe(true);
    proc.connected = false;
    await channel.send({ event: 'accounts.changed', payload: {} });
    expect(sent).toHaveLength(1);
    expect(() => connectToParent(new EventEmitter() as unknown as NodeJS.Process)).toThrow(/started by Groundswell/);
  });

  it('tells call frames and the shutdown message from anything else', () => {
    expect(isClientFrame({ id: 3, call: 'inbox.list', params: {} })).toBe(true);
    expect(isClientFrame({ id: '3', call: 'inbox.list' })).toBe(false);
    expect(isClientFrame(null)).toBe(false);
    expect(isShutdown({ control: 'shutdown' })).toBe(true);
    expect(isShutdown({ control: 'ready' })).toBe(false);
  });
});
