/**
 * The `signIn.*` calls: which ways to sign in a kind offers, and sign-ins in the system browser
 * (OAuth2 for mail, single sign-on for Matrix) started, waited for and cancelled. The kind knows
 * its provider's pages; this part owns the loopback listener and hands the kind the preferences.
 */
import type { BrowserSignInStarted, SignInOptions } from '../../src-shared/api.ts';
import type { Preferences } from '../../src-shared/preferences.ts';
import { record, text } from '../common/input.ts';
import type { AnyConnectorKind } from '../connectors/kind.ts';
import { signInOwner, type AccountBook } from './accounts.ts';
import type { BrowserSignIns } from './browser-sign-ins.ts';
import { UnsupportedError } from './errors.ts';
import type { KindRegistry } from './kinds.ts';

export interface SignInParts {
  kinds: KindRegistry;
  accounts: AccountBook;
  signIns: BrowserSignIns;
  preferences(): Preferences;
}

export class SignInCalls {
  readonly #p: SignInParts;

  constructor(parts: SignInParts) {
    this.#p = parts;
  }

  async options(raw: unknown): Promise<SignInOptions> {
    const request = record(raw, 'the request');
    const kind = this.#p.kinds.get(text(request['kind'], 'kind', 'Account kind', { max: 64 }));
    if (!kind.browserSignIn) return { password: kind.fields.some((f) => f.type === 'secret'), browser: [] };
    return kind.browserSignIn.options(request['input'] ?? {}, { oauthProviders: this.#p.preferences().oauthProviders });
  }

  async start(raw: unknown): Promise<BrowserSignInStarted> {
    const request = record(raw, 'the request');
    const oauthProviders = this.#p.preferences().oauthProviders;
    if (request['accountId'] !== undefined) {
      const { account, kind } = this.#p.accounts.get(text(request['accountId'], 'accountId', 'Account', { max: 400 }));
      const browser = this.#browser(kind);
      if (!browser.uses(account.settings)) throw new UnsupportedError(`${account.displayName} signs in with a password, not through the browser.`);
      return this.#p.signIns.start(signInOwner.account(account.id), ({ redirectUri }) => browser.startAgain(account.settings, { redirectUri, oauthProviders }));
    }
    const kind = this.#p.kinds.get(text(request['kind'], 'kind', 'Account kind', { max: 64 }));
    const browser = this.#browser(kind);
    const input = request['input'] ?? {};
    return this.#p.signIns.start(signInOwner.kind(kind.kind), ({ redirectUri }) => browser.start(input, { redirectUri, oauthProviders }));
  }

  async wait(raw: unknown): Promise<null> {
    await this.#p.signIns.wait(text(record(raw, 'the request')['signInId'], 'signInId', 'Sign-in', { max: 100 }));
    return null;
  }

  cancel(raw: unknown): null {
    this.#p.signIns.cancel(text(record(raw, 'the request')['signInId'], 'signInId', 'Sign-in', { max: 100 }));
    return null;
  }

  #browser(kind: AnyConnectorKind): NonNullable<AnyConnectorKind['browserSignIn']> {
    if (!kind.browserSignIn) throw new UnsupportedError(`${kind.label} accounts do not sign in through the browser.`);
    return kind.browserSignIn;
  }
}
