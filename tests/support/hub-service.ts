/**
 * The hub as the Electron app runs it: behind the real HubSupervisor, which relays frames, reports
 * 'service.status' and restarts a hub process that died. Here each "hub process" is the real Hub in
 * this process, opened afresh on the same profile, behind the same message shape a forked child has
 * (every frame crosses as JSON). The test makes it die and says when the supervisor's restart timer
 * fires, so the window's "restarting…" state can be looked at.
 */
import { EventEmitter } from 'node:events';
import type { CallName, CallParams, CallResult, EventName, HubClient, HubEvents } from '../../src-shared/api.ts';
import type { Hub } from '../../src-main/hub/hub.ts';
import { HubSupervisor } from '../../src-main/hub-process/supervisor.ts';
import type { ChildLike, Clock } from '../../src-main/hub-process/supervisor.ts';
import type { ParentMessage } from '../../src-main/hub-process/protocol.ts';

export interface HubService {
  /** Calls and events through the supervisor, as the Electron window gets them. */
  readonly client: HubClient;
  /** The hub of the process running now; throws while none runs. */
  readonly hub: Hub;
  /** Forks the first hub process and resolves once it is ready. */
  start(): Promise<void>;
  /** The hub process dies: its hub closes, unanswered calls fail, the supervisor says it is restarting. */
  crash(): Promise<void>;
  /** The supervisor's restart timer fires; resolves once the new hub process is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Time stands still: the supervisor's restarts wait until the test fires them. */
function heldClock(): Clock & { fire(): void } {
  const timers = new Set<{ run: () => void }>();
  return {
    now: () => Date.now(),
    setTimeout(run) {
      const timer = { run };
      timers.add(timer);
      return timer;
    },
    clearTimeout: (handle) => void timers.delete(handle as { run: () => void }),
    fire() {
      const due = [...timers];
      timers.clear();
      for (const timer of due) timer.run();
    },
  };
}

interface InProcessChild extends ChildLike {
  readonly hub: Hub | undefined;
  readonly ready: Promise<void>;
  exit(code: number): Promise<void>;
}

/** A hub process without the process: the child's side of the protocol over a Hub opened here. */
function inProcessChild(open: () => Hub): InProcessChild {
  const channel = new EventEmitter();
  const crossing = <T>(message: T): T => JSON.parse(JSON.stringify(message)) as T;
  let hub: Hub | undefined;
  let off: (() => void) | undefined;
  let exited = false;
  const child: InProcessChild = {
    get hub() {
      return hub;
    },
    ready: new Promise((resolve) =>
      setImmediate(() => {
        hub = open();
        off = hub.on((event, payload) => channel.emit('message', crossing({ event, payload })));
        channel.emit('message', { control: 'ready', pid: process.pid });
        resolve();
      }),
    ),
    postMessage(message: ParentMessage) {
      if (exited) throw new Error('The hub process has no channel any more.');
      if ('control' in message) {
        void child.exit(0);
        return;
      }
      const { id, call, params } = crossing(message);
      void hub!.call(call, params as never).then((result) => {
        if (!exited) channel.emit('message', crossing({ id, result }));
      });
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      channel.on(event, listener as (value: unknown) => void);
      return child;
    },
    kill() {
      void child.exit(143);
      return true;
    },
    async exit(code) {
      if (exited) return;
      exited = true;
      off?.();
      // A dead process releases the profile and its connectors' connections; here that is dispose.
      await hub?.dispose();
      hub = undefined;
      channel.emit('exit', code);
    },
  };
  return child;
}

export function hubService(open: () => Hub): HubService {
  const clock = heldClock();
  let current: InProcessChild | undefined;
  const supervisor = new HubSupervisor({
    fork: () => (current = inProcessChild(open)),
    modulePath: 'in-process',
    args: [],
    clock,
    stopTimeoutMs: 10_000,
  });
  const client: HubClient = {
    call: <C extends CallName>(name: C, params: CallParams<C>) => supervisor.call(name, params) as Promise<CallResult<C>>,
    on: <E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void) =>
      supervisor.on((event, payload) => {
        if (event === name) listener(payload as HubEvents[E]);
      }),
  };
  return {
    client,
    get hub() {
      if (current?.hub === undefined) throw new Error('No hub process runs now.');
      return current.hub;
    },
    async start() {
      supervisor.start();
      await current?.ready;
    },
    async crash() {
      await current?.exit(1);
    },
    async restart() {
      const dead = current;
      clock.fire();
      if (current === dead) throw new Error('The supervisor had no restart waiting.');
      await current?.ready;
    },
    stop: () => supervisor.stop(),
  };
}
