import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ClientFrame } from '../../src-shared/api.ts';
import { ok } from '../../src-shared/result.ts';
import type { ParentMessage } from './protocol.ts';
import { HubSupervisor, INTERRUPTED_MESSAGE, RESTARTING_MESSAGE, restartDelay, SHUTTING_DOWN_MESSAGE } from './supervisor.ts';
import type { ChildLike, Clock } from './supervisor.ts';

/** A hub process the test scripts: it says only what the test tells it to. */
class ScriptedChild extends EventEmitter implements ChildLike {
  readonly received: ParentMessage[] = [];
  killed = 0;
  postMessage(message: ParentMessage): void {
    this.received.push(structuredClone(message));
  }
  kill(): boolean {
    this.killed++;
    return true;
  }
  calls(): ClientFrame[] {
    return this.received.filter((m): m is ClientFrame => 'call' in m);
  }
  ready(): void {
    this.emit('message', { control: 'ready', pid: 1 });
  }
  answer(frame: ClientFrame, value: unknown): void {
    this.emit('message', { id: frame.id, result: ok(value) });
  }
  die(code = 1): void {
    this.emit('exit', code);
  }
}

/** Time moves only when the test says; the timers it holds are the restarts the supervisor asked for. */
class ManualClock implements Clock {
  time = 0;
  timers: { at: number; ms: number; run: () => void; done: boolean }[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, ms, run, done: false };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    if (handle) (handle as { done: boolean }).done = true;
  }
  pending(): number[] {
    return this.timers.filter((t) => !t.done).map((t) => t.ms);
  }
  /** Runs the earliest pending timer, moving time to it. */
  fireNext(): void {
    const next = this.timers.filter((t) => !t.done).sort((a, b) => a.at - b.at)[0];
    if (!next) throw new Error('no timer pending');
    this.time = Math.max(this.time, next.at);
    next.done = true;
    next.run();
  }
}

function setup() {
  const children: ScriptedChild[] = [];
  const forks: { modulePath: string; args: string[] }[] = [];
  const clock = new ManualClock();
  const supervisor = new HubSupervisor({
    modulePath: '/app/hub-process.cjs',
    args: ['--profile=/p', '--ui-dir=/ui'],
    clock,
    stopTimeoutMs: 1_000,
    fork: (modulePath, args) => {
      forks.push({ modulePath, args });
      const child = new ScriptedChild();
      children.push(child);
      return child;
    },
  });
  const events: { name: string; payload: unknown }[] = [];
  supervisor.on((name, payload) => events.push({ name, payload }));
  const statuses = () => events.filter((e) => e.name === 'service.status').map((e) => e.payload);
  const latest = () => children.at(-1)!;
  return { supervisor, children, forks, clock, events, statuses, latest };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HubSupervisor', () => {
  it('forks the hub process with its module and arguments, holds calls until it is ready, then relays answers and events', async () => {
    const { supervisor, forks, latest, events } = setup();
    supervisor.start();
    expect(forks).toEqual([{ modulePath: '/app/hub-process.cjs', args: ['--profile=/p', '--ui-dir=/ui'] }]);
    const answer = supervisor.call('accounts.list', {});
    await settle();
    expect(latest().calls()).toEqual([]);
    latest().ready();
    expect(latest().calls()).toEqual([{ id: 1, call: 'accounts.list', params: {} }]);
    latest().answer(latest().calls()[0]!, []);
    expect(await answer).toEqual(ok([]));
    latest().emit('message', { event: 'inbox.changed', payload: { accountIds: ['a'] } });
    expect(events).toContainEqual({ name: 'inbox.changed', payload: { accountIds: ['a'] } });
  });

  it('fails the calls in flight at a crash without sending them again, and sends the calls made meanwhile to the new process', async () => {
    const { supervisor, children, clock, statuses, latest } = setup();
    supervisor.start();
    latest().ready();
    const inFlight = supervisor.call('chat.send', { itemId: 'room', text: 'hello' });
    children[0]!.die(9);
    expect(await inFlight).toEqual({ ok: false, error: { code: 'connection-failed', message: INTERRUPTED_MESSAGE } });
    expect(supervisor.status).toEqual({ state: 'restarting', message: RESTARTING_MESSAGE });

    const meanwhile = supervisor.call('inbox.counts', {});
    clock.fireNext();
    expect(children).toHaveLength(2);
    latest().ready();
    expect(latest().calls().map((f) => f.call)).toEqual(['inbox.counts']);
    latest().answer(latest().calls()[0]!, { total: 3 });
    expect(await meanwhile).toEqual(ok({ total: 3 }));
    expect(statuses()).toEqual([{ state: 'running' }, { state: 'restarting', message: RESTARTING_MESSAGE }, { state: 'running' }]);
    // The first process never heard of inbox.counts, the second never of chat.send.
    expect(children[0]!.calls().map((f) => f.call)).toEqual(['chat.send']);
  });

  it('waits 0.5 s, 1 s, 2 s … up to 30 s between restarts, and quickly again after a stable minute', () => {
    const { supervisor, clock, latest } = setup();
    supervisor.start();
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      latest().die();
      delays.push(...clock.pending());
      clock.fireNext();
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);

    latest().ready();
    clock.time += 59_000;
    latest().die();
    expect(clock.pending()).toEqual([30_000]);
    clock.fireNext();
    latest().ready();
    clock.time += 60_000;
    latest().die();
    expect(clock.pending()).toEqual([500]);
    expect(restartDelay(40)).toBe(30_000);
  });

  it('reports a locked profile at start as a failure with its message and does not try again', async () => {
    const { supervisor, children, clock, statuses, latest } = setup();
    const early = supervisor.call('accounts.list', {});
    supervisor.start();
    const message = 'This profile is already in use by Groundswell process 4242. Quit that process, or pass --profile DIR to use another profile.';
    latest().emit('message', { control: 'start-failed', reason: 'profile-locked', message });
    latest().die(1);
    expect(statuses()).toEqual([{ state: 'failed', message }]);
    expect(clock.pending()).toEqual([]);
    expect(await early).toEqual({ ok: false, error: { code: 'profile-locked', message } });
    expect(await supervisor.call('inbox.counts', {})).toEqual({ ok: false, error: { code: 'profile-locked', message } });
    expect(children).toHaveLength(1);
  });

  it('stops with a shutdown message, and kills a process that does not exit in time', async () => {
    const { supervisor, clock, latest } = setup();
    supervisor.start();
    latest().ready();
    const inFlight = supervisor.call('sync.once', {});
    const stopped = supervisor.stop();
    expect(latest().received.at(-1)).toEqual({ control: 'shutdown' });
    expect(latest().killed).toBe(0);
    clock.fireNext(); // the shutdown timeout
    await settle();
    expect(latest().killed).toBe(1);
    latest().die(0);
    await stopped;
    expect(await inFlight).toEqual({ ok: false, error: { code: 'internal', message: SHUTTING_DOWN_MESSAGE } });
    expect(clock.pending()).toEqual([]);
    expect(await supervisor.call('inbox.counts', {})).toEqual({ ok: false, error: { code: 'internal', message: SHUTTING_DOWN_MESSAGE } });
  });

  it('restarts a process that dies before it is ready, and keeps the calls waiting for it', async () => {
    const { supervisor, children, clock, latest } = setup();
    supervisor.start();
    const waiting = supervisor.call('accounts.list', {});
    latest().die(1);
    clock.fireNext();
    latest().ready();
    latest().answer(latest().calls()[0]!, ['x']);
    expect(await waiting).toEqual(ok(['x']));
    expect(children[0]!.calls()).toEqual([]);
  });
});
