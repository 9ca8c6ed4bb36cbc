import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../src-shared/domain.ts';
import { backoffCap, createReconnectLoop, type ReconnectLoop } from './reconnect.ts';

class AuthError extends Error {}

describe('backoffCap', () => {
  it('doubles from 1 s and stops at 5 min', () => {
    const caps = [0, 1, 2, 3, 8, 9, 40].map((n) => backoffCap(n, 1_000, 300_000));
    expect(caps).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
  });
});

describe('createReconnectLoop', () => {
  let states: ConnectionState[];
  let loop: ReconnectLoop | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    states = [];
  });
  afterEach(() => {
    loop?.stop();
    vi.useRealTimers();
  });

  const make = (connect: () => Promise<void>, random = () => 1) =>
    createReconnectLoop({
      connect,
      status: (s) => states.push(s),
      isAuthFailure: (e) => e instanceof AuthError,
      describe: (e) => (e instanceof Error ? e.message : String(e)),
      random,
    });

  it('retries with a doubling delay and reports when the next try is due', async () => {
    const connect = vi.fn(async () => {
      throw new Error('refused');
    });
    // random() just below 1 gives the full cap, so the schedule is predictable.
    loop = make(connect, () => 0.999_999);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toEqual({ state: 'offline', reason: 'refused', nextRetryAt: 1_000_000 + 999 });

    await vi.advanceTimersByTimeAsync(999);
    expect(connect).toHaveBeenCalledTimes(2);
    const second = states.at(-1);
    expect(second).toMatchObject({ state: 'offline' });
    expect(second && second.state === 'offline' ? second.nextRetryAt - Date.now() : -1).toBe(1_999);

    await vi.advanceTimersByTimeAsync(1_998);
    expect(connect).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(connect).toHaveBeenCalledTimes(3);
    expect(loop.failures).toBe(3);
  });

  it('spreads delays with full jitter between zero and the cap', async () => {
    const connect = vi.fn(async () => {
      throw new Error('timeout');
    });
    loop = make(connect, () => 0.25);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = states.at(-1);
    expect(first).toEqual({ state: 'offline', reason: 'timeout', nextRetryAt: 1_000_000 + 250 });
  });

  it('stops retrying on an auth failure and says so', async () => {
    const connect = vi.fn(async () => {
      throw new AuthError('Authentication failed');
    });
    loop = make(connect);
    loop.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(states).toEqual([{ state: 'connecting' }, { state: 'auth-failed', reason: 'Authentication failed' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resets the backoff after a success and schedules again when the connection is lost', async () => {
    let fail = true;
    const connect = vi.fn(async () => {
      if (fail) throw new Error('down');
    });
    loop = make(connect, () => 0.999_999);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(999);
    expect(loop.failures).toBe(2);
    fail = false;
    await vi.advanceTimersByTimeAsync(1_999);
    expect(connect).toHaveBeenCalledTimes(3);
    expect(loop.failures).toBe(0);

    loop.lost('server closed the connection');
    expect(states.at(-1)).toMatchObject({ state: 'offline', reason: 'server closed the connection' });
    // A second report of the same loss must not stack a second timer.
    loop.lost('again');
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(connect).toHaveBeenCalledTimes(4);
  });

  it('stop clears the pending timer and ignores later losses', async () => {
    const connect = vi.fn(async () => {
      throw new Error('down');
    });
    loop = make(connect);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    loop.stop();
    expect(vi.getTimerCount()).toBe(0);
    loop.lost('late');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it('ignores the result of an attempt that finishes after stop', async () => {
    let reject: (e: Error) => void = () => {};
    const connect = vi.fn(() => new Promise<void>((_resolve, r) => (reject = r)));
    loop = make(connect);
    loop.start();
    loop.stop();
    reject(new Error('closed'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states).toEqual([{ state: 'connecting' }]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
