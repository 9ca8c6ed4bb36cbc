/**
 * Keeps the hub process running for the Electron main process: forks it, relays the contract's
 * calls and events, and when it dies restarts it with backoff. It never imports electron; main.ts
 * passes utilityProcess.fork in, tests pass child_process.fork behind the same shape.
 *
 * A call is sent to a child at most once. If the child dies with calls unanswered, those calls fail
 * with 'connection-failed' instead of being sent again: a message sent twice is worse than a retry
 * the user asks for. Calls made while no child is ready wait and go to the next one.
 */
import type { CallName, EventName, HubEvents } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import type { ErrorCode, Result } from '../../src-shared/result.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';

/** What both Electron's UtilityProcess and an adapter over child_process.fork offer. */
export interface ChildLike {
  postMessage(message: ParentMessage): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** Ends the process (SIGTERM on POSIX); the hub process treats a second one as "now". */
  kill(): boolean;
}

export type ForkHubProcess = (modulePath: string, args: string[]) => ChildLike;

export type ServiceStatus = HubEvents['service.status'];

export const RESTARTING_MESSAGE = "Groundswell's background service stopped; restarting…";
export const INTERRUPTED_MESSAGE = 'The background service restarted while this was running; try again.';
export const SHUTTING_DOWN_MESSAGE = 'Groundswell is shutting down.';

export interface Backoff {
  firstMs: number;
  maxMs: number;
  /** A child that ran this long before it died was healthy: the next restart is quick again. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 500, maxMs: 30_000, stableMs: 60_000 };

/** The wait before restart number `attempt` (0-based): 0.5 s, 1 s, 2 s … capped. */
export function restartDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.firstMs * 2 ** attempt, backoff.maxMs);
}

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SupervisorOptions {
  fork: ForkHubProcess;
  modulePath: string;
  args: string[];
  backoff?: Backoff;
  /** How long a clean shutdown may take (the hub saves sync state and the crypto store) before the child is killed. */
  stopTimeoutMs?: number;
  clock?: Clock;
}

type Listener = (name: EventName, payload: unknown) => void;
type Answer = (result: Result<unknown>) => void;
type State = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export class HubSupervisor {
  private readonly options: SupervisorOptions;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly listeners = new Set<Listener>();
  private child: ChildLike | undefined;
  private childExited: Promise<void> = Promise.resolve();
  private ready = false;
  private readyAt: number | undefined;
  private startFailure: { code: ErrorCode; message: string } | undefined;
  private state: State = 'starting';
  private fatal: { code: ErrorCode; message: string } | undefined;
  private attempt = 0;
  private restartTimer: unknown;
  private nextId = 1;
  private readonly inFlight = new Map<number, Answer>();
  private readonly waiting: { call: CallName; params: unknown; answer: Answer }[] = [];

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.clock = options.clock ?? realClock;
  }

  start(): void {
    if (this.child || this.state !== 'starting') return;
    this.spawn();
  }

  /** The service as the renderer hears of it; 'starting' shows as running (the window just opened). */
  get status(): ServiceStatus {
    if (this.state === 'failed') return { state: 'failed', message: this.fatal!.message };
    if (this.state === 'restarting') return { state: 'restarting', message: RESTARTING_MESSAGE };
    return { state: 'running' };
  }

  call(call: CallName, params: unknown): Promise<Result<unknown>> {
    return new Promise((answer) => {
      if (this.state === 'failed') return answer(fail(this.fatal!.code, this.fatal!.message));
      if (this.state === 'stopped') return answer(fail('internal', SHUTTING_DOWN_MESSAGE));
      if (this.ready && this.child) this.send(this.child, call, params, answer);
      else this.waiting.push({ call, params, answer });
    });
  }

  /** Hub events from the child, and 'service.status' from the supervisor itself. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the child to shut down cleanly; kills it if it has not exited within the timeout. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return this.childExited;
    this.state = 'stopped';
    this.clock.clearTimeout(this.restartTimer);
    for (const waiting of this.waiting.splice(0)) waiting.answer(fail('internal', SHUTTING_DOWN_MESSAGE));
    const child = this.child;
    if (!child) return;
    try {
      child.postMessage({ control: 'shutdown' });
    } catch {
      // Its channel is already closed: the exit is on its way.
    }
    const timeoutMs = this.options.stopTimeoutMs ?? 15_000;
    if (!(await this.exitedWithin(timeoutMs))) {
      child.kill();
      await this.exitedWithin(5_000);
    }
  }

  private exitedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), ms);
      void this.childExited.then(() => {
        this.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private spawn(): void {
    this.ready = false;
    this.startFailure = undefined;
    let child: ChildLike;
    try {
      child = this.options.fork(this.options.modulePath, this.options.args);
    } catch {
      // Could not even start a process: the same as one that died at once.
      this.child = undefined;
      this.crashed();
      return;
    }
    this.child = child;
    this.childExited = new Promise((resolve) => {
      child.on('exit', () => {
        if (this.child === child) this.exited();
        resolve();
      });
    });
    child.on('message', (message) => {
      if (this.child === child) this.received(child, message as ChildMessage);
    });
  }

  private received(child: ChildLike, message: ChildMessage): void {
    if ('control' in message) {
      if (message.control === 'ready') this.becameReady(child);
      else this.startFailure = { code: message.reason === 'profile-locked' ? 'profile-locked' : 'internal', message: message.message };
      return;
    }
    if ('id' in message) {
      // The child's hub answers every call it was sent by its id; an id-less error frame is the socket server's.
      if (message.id === null) return;
      const answer = this.inFlight.get(message.id);
      this.inFlight.delete(message.id);
      answer?.(message.result);
      return;
    }
    this.emit(message.event, message.payload);
  }

  private becameReady(child: ChildLike): void {
    if (this.state === 'stopped') return;
    this.ready = true;
    this.readyAt = this.clock.now();
    const was = this.state;
    this.state = 'running';
    if (was !== 'running') this.emit('service.status', this.status);
    for (const waiting of this.waiting.splice(0)) this.send(child, waiting.call, waiting.params, waiting.answer);
  }

  private send(child: ChildLike, call: CallName, params: unknown, answer: Answer): void {
    const id = this.nextId++;
    try {
      child.postMessage({ id, call, params });
    } catch {
      // Not sent at all, so it can safely wait for the next child.
      this.waiting.push({ call, params, answer });
      return;
    }
    this.inFlight.set(id, answer);
  }

  private exited(): void {
    this.child = undefined;
    this.ready = false;
    const unanswered = [...this.inFlight.values()];
    this.inFlight.clear();
    if (this.state === 'stopped') {
      for (const answer of unanswered) answer(fail('internal', SHUTTING_DOWN_MESSAGE));
      return;
    }
    for (const answer of unanswered) answer(fail('connection-failed', INTERRUPTED_MESSAGE));
    if (this.startFailure) {
      // The child said why it could not open the profile (another Groundswell holds it, the store is
      // damaged): starting it again would only fail again, so the user is told instead.
      this.fatal = this.startFailure;
      this.state = 'failed';
      this.emit('service.status', this.status);
      for (const waiting of this.waiting.splice(0)) waiting.answer(fail(this.fatal.code, this.fatal.message));
      return;
    }
    this.crashed();
  }

  private crashed(): void {
    if (this.readyAt !== undefined && this.clock.now() - this.readyAt >= this.backoff.stableMs) this.attempt = 0;
    this.readyAt = undefined;
    const delay = restartDelay(this.attempt, this.backoff);
    this.attempt++;
    if (this.state !== 'restarting') {
      this.state = 'restarting';
      this.emit('service.status', this.status);
    }
    this.restartTimer = this.clock.setTimeout(() => {
      if (this.state === 'restarting') this.spawn();
    }, delay);
  }

  private emit(name: EventName, payload: unknown): void {
    for (const listener of this.listeners) listener(name, payload);
  }
}
