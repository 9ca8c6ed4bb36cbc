/**
 * Sign-ins in the system browser, while they wait for the browser to come back: each has its
 * loopback listener, the kind's way to read the redirect, and once done the grant it brought,
 * held in memory for the account it is for and handed out once.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserSignInStarted } from '../../src-shared/api.ts';
import { InputError } from '../common/input.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { BrowserSignInContext, BrowserSignInStart } from '../connectors/kind.ts';
import { describe, NotFoundError } from './errors.ts';
import { openLoopbackRedirect } from './loopback-redirect.ts';

/** How long the browser has to come back, and how long a finished sign-in waits to be used. */
export const SIGN_IN_TIMEOUT_MS = 10 * 60_000;

interface Flow {
  /** The kind, or the account signing in again. */
  owner: string;
  done: Promise<string>;
  grant?: string;
  cancel(reason: string): void;
  timer: ReturnType<typeof setTimeout>;
}

export class BrowserSignIns {
  readonly #flows = new Map<string, Flow>();
  readonly #log: Logger;
  readonly #timeoutMs: number;

  constructor(log: Logger, timeoutMs = SIGN_IN_TIMEOUT_MS) {
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  /** Opens the loopback listener and asks the kind for the provider's page. */
  async start(owner: string, begin: (ctx: Pick<BrowserSignInContext, 'redirectUri'>) => Promise<BrowserSignInStart>): Promise<BrowserSignInStarted> {
    const loopback = await openLoopbackRedirect();
    let started: BrowserSignInStart;
    try {
      started = await begin({ redirectUri: loopback.redirectUri });
    } catch (error) {
      loopback.close();
      throw error;
    }
    const signInId = randomUUID();
    let settle!: { resolve(grant: string): void; reject(error: unknown): void };
    const done = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
    // Nobody may be waiting yet; the failure is kept for the one who asks.
    done.catch(() => undefined);
    const finish = () => {
      clearTimeout(flow.timer);
      loopback.close();
    };
    const flow: Flow = {
      owner,
      done,
      cancel: (reason) => {
        finish();
        settle.reject(new ConnectorError('auth-failed', reason));
        this.#flows.delete(signInId);
      },
      timer: setTimeout(() => flow.cancel('The sign-in in the browser was not finished within 10 minutes. Start it again.'), this.#timeoutMs),
    };
    loopback.receive(async (callback) => {
      try {
        const grant = await started.finish(callback);
        flow.grant = grant;
        clearTimeout(flow.timer);
        // The listener closes itself once the browser has its page. A finished sign-in not used to add the account is dropped after a while.
        flow.timer = setTimeout(() => this.#flows.delete(signInId), this.#timeoutMs);
        settle.resolve(grant);
        return { ok: true };
      } catch (error) {
        this.#log.info('a browser sign-in failed', { error: describe(error) });
        clearTimeout(flow.timer);
        settle.reject(error);
        return { ok: false, reason: describe(error) };
      }
    });
    this.#flows.set(signInId, flow);
    this.#log.info('browser sign-in started', { owner });
    return { signInId, url: started.url };
  }

  /** Resolves once the browser came back and the kind read it; rejects with why not. */
  async wait(signInId: string): Promise<void> {
    await this.#flow(signInId).done;
  }

  cancel(signInId: string): void {
    this.#flows.get(signInId)?.cancel('The sign-in was cancelled.');
  }

  /**
   * The grant of a finished sign-in for `owner`. It stays until `used`, so an account refused for
   * a typo elsewhere in the form can be added again without a second trip to the browser.
   */
  grantOf(signInId: string, owner: string): string {
    const flow = this.#flow(signInId);
    if (flow.owner !== owner) throw new InputError('That sign-in was started for another account or kind. Start the sign-in again.', 'signInId');
    if (flow.grant === undefined) throw new InputError('The sign-in in the browser has not finished yet. Finish it there first (signIn.wait says when).', 'signInId');
    return flow.grant;
  }

  /** The account now keeps what the sign-in brought: it is forgotten here. */
  used(signInId: string): void {
    const flow = this.#flows.get(signInId);
    if (flow) clearTimeout(flow.timer);
    this.#flows.delete(signInId);
  }

  dispose(): void {
    for (const flow of [...this.#flows.values()]) flow.cancel('Groundswell is shutting down.');
    this.#flows.clear();
  }

  #flow(signInId: string): Flow {
    const flow = this.#flows.get(signInId);
    if (!flow) throw new NotFoundError('No sign-in has that id: it finished, was cancelled or timed out. Start the sign-in again.');
    return flow;
  }
}
