/**
 * The conveniences renderer tests need around a real HubClient, and nothing that answers a call by
 * itself: every call reaches the hub unless the test failed it on purpose. A held call waits before
 * it reaches the hub, as a slow transport would hold it.
 */
import type { CallName, CallParams, CallResult, HubClient } from '../../src-shared/api.ts';
import type { AppError } from '../../src-shared/result.ts';

export interface TestClient extends HubClient {
  /** Every call made through this client, in order (the harness's own set-up calls are not here). */
  readonly calls: { name: CallName; params: unknown }[];
  countCalls(name: CallName): number;
  paramsOf<C extends CallName>(name: C): CallParams<C>[];
  /**
   * Calls of `name` wait until `release(name)`: for what the UI does while one is on its way. With
   * `count`, only the next `count` calls wait and later ones go through, so answers can land out of order.
   */
  hold(name: CallName, count?: number): void;
  release(name: CallName): void;
  /** The next call of `name` answers with this error without reaching the hub, as a transport failure would. */
  failNext(name: CallName, error: AppError): void;
  /** Lets every held call go; the harness does this before the hub closes. */
  releaseAll(): void;
  /** Resolves once no call made through this client is still waiting for its answer, including calls that work already queued makes. */
  idle(): Promise<void>;
}

export function testClient(inner: HubClient): TestClient {
  const calls: { name: CallName; params: unknown }[] = [];
  /** How many more calls of each name to hold. */
  const holding = new Map<CallName, number>();
  const held = new Map<CallName, (() => void)[]>();
  const failures = new Map<CallName, AppError[]>();
  const unanswered = new Set<Promise<unknown>>();
  const release = (name: CallName) => {
    holding.delete(name);
    for (const go of held.get(name)?.splice(0) ?? []) go();
  };
  return {
    calls,
    countCalls: (name) => calls.filter((c) => c.name === name).length,
    paramsOf: <C extends CallName>(name: C) => calls.filter((c) => c.name === name).map((c) => c.params as CallParams<C>),
    hold: (name, count = Infinity) => void holding.set(name, count),
    release,
    releaseAll: () => {
      for (const name of [...held.keys()]) release(name);
    },
    failNext(name, error) {
      failures.set(name, [...(failures.get(name) ?? []), error]);
    },
    async idle() {
      do {
        // Work already queued (a coalesced refetch starts on a microtask) makes its calls first.
        await new Promise((resolve) => setImmediate(resolve));
        await Promise.allSettled([...unanswered]);
      } while (unanswered.size > 0);
    },
    call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
      calls.push({ name, params });
      const answer = answerCall(name, params);
      unanswered.add(answer);
      void answer.finally(() => unanswered.delete(answer));
      return answer;
    },
    on: (name, listener) => inner.on(name, listener),
  };

  async function answerCall<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
    const toHold = holding.get(name) ?? 0;
    if (toHold > 0) {
      holding.set(name, toHold - 1);
      await new Promise<void>((go) => held.set(name, [...(held.get(name) ?? []), go]));
    }
    const forced = failures.get(name)?.shift();
    if (forced !== undefined) return { ok: false, error: forced };
    return inner.call(name, params);
  }
}
