/**
 * Reconnecting with exponential backoff and full jitter, shared by connectors that hold a
 * long-lived connection. Full jitter (a random delay between 0 and the current cap) spreads
 * the retries of many clients after a server restart instead of having them arrive together.
 */
import type { ConnectionState } from '../../src-shared/domain.ts';

export interface ReconnectOptions {
  /** Opens the connection and catches up; resolves once the connection is usable. */
  connect: () => Promise<void>;
  status: (state: ConnectionState) => void;
  /** Auth failures are not retried: the same password will fail again and may lock the account. */
  isAuthFailure: (error: unknown) => boolean;
  /** A message for the user, with no secret in it. */
  describe: (error: unknown) => string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  now?: () => number;
}

export interface ReconnectLoop {
  /** Connects now (or again after an auth failure, e.g. once the password was changed). */
  start(): void;
  /** The connection went away: schedules the next attempt unless one is already under way. */
  lost(reason: string): void;
  /** Clears timers; later calls to lost() do nothing. Safe to call twice. */
  stop(): void;
  /** How many attempts have failed since the last success. */
  readonly failures: number;
}

export const DEFAULT_INITIAL_DELAY_MS = 1_000;
export const DEFAULT_MAX_DELAY_MS = 5 * 60_000;

/** The cap doubles with every failure: 1 s, 2 s, 4 s … up to maxDelayMs. */
export function backoffCap(failures: number, initialDelayMs: number, maxDelayMs: number): number {
  const exponent = Math.min(Math.max(failures, 0), 30);
  return Math.min(maxDelayMs, initialDelayMs * 2 ** exponent);
}

export function createReconnectLoop(options: ReconnectOptions): ReconnectLoop {
  const initialDelayMs = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempting = false;
  let stopped = false;
  // Bumped by start()/stop() so an attempt that finishes late cannot act on a newer state.
  let generation = 0;

  const schedule = (reason: string) => {
    const delay = Math.floor(random() * backoffCap(failures, initialDelayMs, maxDelayMs));
    failures += 1;
    options.status({ state: 'offline', reason, nextRetryAt: now() + delay });
    timer = setTimeout(() => {
      timer = undefined;
      void attempt();
    }, delay);
  };

  const attempt = async () => {
    if (stopped || attempting) return;
    const mine = generation;
    attempting = true;
    options.status({ state: 'connecting' });
    try {
      await options.connect();
      if (mine !== generation) return;
      failures = 0;
    } catch (error) {
      if (mine !== generation || stopped) return;
      if (options.isAuthFailure(error)) {
        options.status({ state: 'auth-failed', reason: options.describe(error) });
        return;
      }
      schedule(options.describe(error));
    } finally {
      if (mine === generation) attempting = false;
    }
  };

  /** Forgets any attempt in flight (its result is ignored by generation) and any retry scheduled. */
  const abandonPending = () => {
    generation += 1;
    attempting = false;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  return {
    start() {
      stopped = false;
      abandonPending();
      failures = 0;
      void attempt();
    },
    lost(reason: string) {
      if (stopped || attempting || timer !== undefined) return;
      schedule(reason);
    },
    stop() {
      stopped = true;
      abandonPending();
    },
    get failures() {
      return failures;
    },
  };
}
