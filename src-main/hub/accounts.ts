/**
 * Accounts of every kind: added once their server accepts them, changed, signed in again and
 * removed. Each kind parses its own input and decodes its own stored settings; this part only
 * knows what all accounts share (a name, a secret in the keychain, a connector, a duplicate check).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Account, AccountView } from '../../src-shared/domain.ts';
import type { UnreadCounts } from '../../src-shared/api.ts';
import { InputError, record, text } from '../common/input.ts';
import type { Logger } from '../common/logger.ts';
import type { AccountDraft, AnyConnectorKind, VerifiedAccount } from '../connectors/kind.ts';
import type { BrowserSignIns } from './browser-sign-ins.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { InboxStore, StoredAccount } from '../store/inbox-store.ts';
import { describe, NotFoundError, UnsupportedError } from './errors.ts';
import type { HubEventBus } from './events.ts';
import { safeDisplayName } from './item-text.ts';
import type { KindRegistry } from './kinds.ts';
import { extraSecretKey } from './secret-keys.ts';
import type { SignInPasswords } from './sign-in-passwords.ts';
import type { ConnectorSupervision } from './supervision.ts';

/** An account whose kind can run it, or one that cannot start and says why. */
export type DecodedAccount = { account: Account; kind: AnyConnectorKind; problem?: undefined } | { account: Account; kind?: undefined; problem: string };

export interface AccountParts {
  store: InboxStore;
  secrets: SecretStore;
  kinds: KindRegistry;
  supervision: ConnectorSupervision;
  events: HubEventBus;
  signInPasswords: SignInPasswords;
  signIns: BrowserSignIns;
  log: Logger;
}

/** Whose a browser sign-in is: a kind's new account, or an account signing in again. */
export const signInOwner = {
  kind: (kind: string) => `kind:${kind}`,
  account: (accountId: string) => `account:${accountId}`,
};

export class AccountBook {
  readonly #p: AccountParts;
  /** Set once connectors started: accounts added later start live too. */
  #live = false;

  constructor(parts: AccountParts) {
    this.#p = parts;
  }

  decode(stored: StoredAccount): DecodedAccount {
    const kind = this.#p.kinds.find(stored.kind);
    const base = { id: stored.id, kind: stored.kind, displayName: safeDisplayName(stored.displayName), createdAt: stored.createdAt };
    if (!kind) {
      // Kept and listed so it can be removed; its items already carry their own source.
      const settings = typeof stored.settings === 'object' && stored.settings !== null ? stored.settings : {};
      return { account: { ...base, source: 'mail', settings }, problem: `${stored.kind} accounts are not supported by this version of Groundswell.` };
    }
    try {
      return { account: { ...base, source: kind.source, settings: kind.decodeSettings(stored.settings, stored.settingsVersion) }, kind };
    } catch (error) {
      const settings = typeof stored.settings === 'object' && stored.settings !== null ? stored.settings : {};
      return { account: { ...base, source: kind.source, settings }, problem: describe(error) };
    }
  }

  all(): DecodedAccount[] {
    return this.#p.store.listAccounts().map((stored) => this.decode(stored));
  }

  find(accountId: string): DecodedAccount | undefined {
    const stored = this.#p.store.getAccount(accountId);
    return stored ? this.decode(stored) : undefined;
  }

  /** An account its kind can run; a missing or unusable one is an error the user can read. */
  get(accountId: string): { account: Account; kind: AnyConnectorKind } {
    const found = this.find(accountId);
    if (!found) throw new NotFoundError('No account has that id. It may have been removed.');
    if (!found.kind) throw new UnsupportedError(found.problem);
    return found;
  }

  views(): AccountView[] {
    const counts = this.#p.store.unreadCounts();
    return this.all().map(({ account, kind }) => this.view(account, kind, counts));
  }

  view(account: Account, kind: AnyConnectorKind | undefined, counts: UnreadCounts = this.#p.store.unreadCounts()): AccountView {
    const activity = this.#p.supervision.activity(account.id);
    return {
      account,
      summary: kind ? kind.describe(account) : account.kind,
      status: this.#p.supervision.status(account.id),
      ...(activity ? { activity } : {}),
      unread: counts.byAccount[account.id] ?? 0,
      priorityUnread: counts.priorityByAccount[account.id] ?? 0,
      ...(kind?.browserSignIn?.uses(account.settings) ? { signsInWithBrowser: true } : {}),
    };
  }

  startAll(): void {
    this.#live = true;
    for (const decoded of this.all()) this.#startOne(decoded);
  }

  async add(raw: unknown): Promise<AccountView> {
    const request = record(raw, 'the request');
    const kindId = text(request['kind'], 'kind', 'Account kind', { max: 64 });
    const kind = this.#p.kinds.get(kindId);
    const { input, signInId } = this.#withGrant(kind, request['input']);
    const draft = kind.draft(input) as AccountDraft<object>;
    this.#refuseDuplicate(kind, draft.settings);
    const account: Account = { id: randomUUID(), kind: kind.kind, source: kind.source, displayName: draft.displayName, createdAt: Date.now(), settings: draft.settings };
    const verified: VerifiedAccount<object> =
      draft.grant !== undefined ? await this.#signedIn(kind, account, draft.grant) : await kind.verify(account, draft.secret, undefined, draft.extraSecrets);
    try {
      this.#refuseDuplicate(kind, verified.account.settings);
    } catch (error) {
      // The sign-in just made a second session (a Matrix device); end it rather than leave it behind.
      if (verified.secret !== undefined) await kind.forget?.(verified.account, verified.secret).catch(() => undefined);
      throw error;
    }
    if (kind.holdsSignInPassword && draft.secret !== undefined) this.#p.signInPasswords.hold(account.id, draft.secret);
    const view = await this.#save(verified.account, kind, verified.secret, verified.extraSecrets ?? draft.extraSecrets);
    if (signInId !== undefined) this.#p.signIns.used(signInId);
    return (await this.#useHeldPassword(verified.account, kind)) ? this.view(verified.account, kind) : view;
  }

  /** Many drafts at once, none checked with its server first (an OPML import): returns the ones saved. */
  addUnverified(kind: AnyConnectorKind, drafts: AccountDraft<object>[], skip: (draft: AccountDraft<object>, reason: string) => void): Account[] {
    const taken = new Set(this.all().flatMap((d) => (d.kind === kind ? [kind.identity(d.account.settings)] : [])));
    const now = Date.now();
    const added: Account[] = [];
    for (const draft of drafts) {
      const identity = kind.identity(draft.settings);
      if (taken.has(identity)) {
        skip(draft, 'Already followed.');
        continue;
      }
      taken.add(identity);
      added.push({ id: randomUUID(), kind: kind.kind, source: kind.source, displayName: safeDisplayName(draft.displayName), createdAt: now + added.length, settings: draft.settings });
    }
    this.#p.store.insertAccounts(added.map((account) => this.#stored(account, kind)));
    if (added.length > 0) this.#p.events.emit('accounts.changed', {});
    if (this.#live) for (const account of added) this.#p.supervision.start(account, kind);
    return added;
  }

  async update(raw: unknown): Promise<AccountView> {
    const request = record(raw, 'the request');
    const { account, kind } = this.get(text(request['accountId'], 'accountId', 'Account', { max: 400 }));
    const { displayName: name, ...changes } = record(request['changes'], 'the changes');
    const displayName = name === undefined ? account.displayName : text(name, 'displayName', 'Name', { max: 200 }).trim();
    if (displayName === '') throw new InputError('Name is required.', 'displayName');
    const { settings, recheck, extraSecrets: changedSecrets } = kind.applyChanges(account.settings, changes);
    let updated: Account = { ...account, displayName, settings };
    if (recheck) {
      this.#refuseDuplicate(kind, settings, account.id);
      const secret = (await this.#p.secrets.getPassword(account.id)) ?? undefined;
      const extras = { ...(await this.#extraSecrets(account.id, kind)), ...changedSecrets };
      updated = (await kind.verify(updated, secret, secret, extras)).account;
    }
    // Kept only once the server took them; '' is one the account no longer uses.
    for (const [name, value] of Object.entries(changedSecrets ?? {})) {
      if (value === '') await this.#p.secrets.deletePassword(extraSecretKey(account.id, name)).catch(() => false);
      else await this.#p.secrets.setPassword(extraSecretKey(account.id, name), value);
    }
    this.#p.store.updateAccount(this.#stored(updated, kind));
    this.#p.log.info('account settings changed', { accountId: account.id, recheck });
    if (JSON.stringify(settings) !== JSON.stringify(account.settings)) await this.#p.supervision.restart(updated, kind);
    this.#p.events.emit('accounts.changed', {});
    return this.view(updated, kind);
  }

  /** "Sign in again": the new password (or feed token) is checked with the server before it is kept. */
  async updatePassword(accountId: string, password: string): Promise<AccountView> {
    const { account, kind } = this.get(accountId);
    if (!kind.signsIn(account.settings)) throw new InputError('This account does not sign in; there is no password to change.', 'password');
    if (kind.browserSignIn?.uses(account.settings)) {
      throw new InputError('This account signs in through the browser, not with a password: use Sign in again, which opens the sign-in page.', 'password');
    }
    const previousSecret = (await this.#p.secrets.getPassword(account.id).catch(() => null)) ?? undefined;
    const verified = await kind.verify(account, password, previousSecret);
    if (verified.secret !== undefined) await this.#p.secrets.setPassword(account.id, verified.secret);
    if (kind.holdsSignInPassword) this.#p.signInPasswords.hold(account.id, password);
    if (JSON.stringify(verified.account.settings) !== JSON.stringify(account.settings)) this.#p.store.updateAccount(this.#stored(verified.account, kind));
    this.#p.log.info('account password updated', { accountId });
    await this.#p.supervision.restart(verified.account, kind);
    await this.#useHeldPassword(verified.account, kind);
    this.#p.events.emit('accounts.changed', {});
    return this.view(verified.account, kind);
  }

  /** "Sign in again" through the browser: the finished sign-in's grant is checked with the server and kept. */
  async signInAgain(accountId: string, signInId: string): Promise<AccountView> {
    const { account, kind } = this.get(accountId);
    if (!kind.browserSignIn?.uses(account.settings)) throw new InputError('This account signs in with a password; use Sign in again with the password.', 'signInId');
    const grant = this.#p.signIns.grantOf(signInId, signInOwner.account(accountId));
    const previousSecret = (await this.#p.secrets.getPassword(account.id).catch(() => null)) ?? undefined;
    const verified = await this.#signedIn(kind, account, grant, previousSecret);
    if (verified.secret !== undefined) await this.#p.secrets.setPassword(account.id, verified.secret);
    if (JSON.stringify(verified.account.settings) !== JSON.stringify(account.settings)) this.#p.store.updateAccount(this.#stored(verified.account, kind));
    this.#p.log.info('account signed in again through the browser', { accountId });
    this.#p.signIns.used(signInId);
    await this.#p.supervision.restart(verified.account, kind);
    this.#p.events.emit('accounts.changed', {});
    return this.view(verified.account, kind);
  }

  #signedIn(kind: AnyConnectorKind, account: Account, grant: string, previousSecret?: string): Promise<VerifiedAccount<object>> {
    if (!kind.browserSignIn) throw new UnsupportedError(`${kind.label} accounts do not sign in through the browser.`);
    return kind.browserSignIn.complete(account, grant, previousSecret);
  }

  /** `signInId` in an add-account input stands for what that browser sign-in brought: the kind gets it as `grant`. */
  #withGrant(kind: AnyConnectorKind, raw: unknown): { input: unknown; signInId?: string } {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { input: raw };
    // A grant only ever comes from a sign-in this hub watched finish, never from the caller.
    const { signInId: given, grant: _ignored, ...input } = raw as Record<string, unknown>;
    if (given === undefined) return { input };
    const signInId = text(given, 'signInId', 'Sign-in', { max: 100 });
    return { input: { ...input, grant: this.#p.signIns.grantOf(signInId, signInOwner.kind(kind.kind)) }, signInId };
  }

  async remove(accountId: string): Promise<void> {
    const found = this.find(accountId);
    if (!found) throw new NotFoundError('No account has that id. It may have been removed already.');
    await this.#p.supervision.remove(accountId);
    if (found.kind) await this.#forgetOnServer(found.account, found.kind);
    this.#p.signInPasswords.forget(accountId);
    this.#p.store.deleteAccount(accountId);
    try {
      rmSync(this.#p.supervision.accountDataDir(accountId), { recursive: true, force: true });
    } catch (error) {
      this.#p.log.warn('could not delete the account folder', { accountId, error });
    }
    await this.#p.secrets.deletePassword(accountId).catch((error: unknown) => {
      this.#p.log.warn('could not delete the password from the keychain', { accountId, error });
    });
    for (const name of found.kind?.extraSecretNames ?? []) await this.#p.secrets.deletePassword(extraSecretKey(accountId, name)).catch(() => false);
    this.#p.log.info('account removed', { accountId });
    this.#p.events.emit('accounts.changed', {});
    this.#p.events.emit('inbox.changed', { accountIds: [accountId] });
  }

  /** Settings a running connector learnt (a permanent redirect, a forgotten device). */
  saveSettings(accountId: string, settings: object): void {
    const found = this.find(accountId);
    if (!found?.kind) return;
    this.#p.store.updateAccount(this.#stored({ ...found.account, settings }, found.kind));
    this.#p.events.emit('accounts.changed', {});
  }

  /**
   * A password held for the server's follow-up prompt lives in this process only. With no live
   * connector to take it (the CLI adding an account and exiting), one short-lived sync takes it now,
   * so the account is left as a running hub leaves it (Matrix: keys uploaded, cross-signing set up).
   */
  async #useHeldPassword(account: Account, kind: AnyConnectorKind): Promise<boolean> {
    if (!kind.holdsSignInPassword || this.#live) return false;
    try {
      await this.#p.supervision.withConnector(account, kind, (connector) => connector.syncOnce());
    } catch (error) {
      this.#p.log.warn('the account is saved, but its first sync did not finish; the next start finishes it', { accountId: account.id, error: describe(error) });
    } finally {
      this.#p.signInPasswords.forget(account.id);
    }
    return true;
  }

  #startOne(decoded: DecodedAccount): void {
    if (decoded.kind) this.#p.supervision.start(decoded.account, decoded.kind);
    else this.#p.supervision.refuse(decoded.account.id, decoded.problem);
  }

  /** The keychain first: an account row without its secret would fail at every start. */
  async #save(verified: Account, kind: AnyConnectorKind, secret: string | undefined, extraSecrets?: Record<string, string>): Promise<AccountView> {
    // A feed names itself with its own title, which may be anything.
    const account = { ...verified, displayName: safeDisplayName(verified.displayName) };
    if (secret !== undefined) await this.#p.secrets.setPassword(account.id, secret);
    for (const [name, value] of Object.entries(extraSecrets ?? {})) if (value !== '') await this.#p.secrets.setPassword(extraSecretKey(account.id, name), value);
    this.#p.store.insertAccount(this.#stored(account, kind));
    this.#p.log.info('account added', { accountId: account.id, kind: account.kind });
    this.#p.events.emit('accounts.changed', {});
    if (this.#live) this.#p.supervision.start(account, kind);
    return this.view(account, kind);
  }

  /** The further secrets an account keeps, read from their keychain entries (missing ones left out). */
  async #extraSecrets(accountId: string, kind: AnyConnectorKind): Promise<Record<string, string>> {
    const found: Record<string, string> = {};
    for (const name of kind.extraSecretNames ?? []) {
      const value = await this.#p.secrets.getPassword(extraSecretKey(accountId, name));
      if (value !== null) found[name] = value;
    }
    return found;
  }

  #stored(account: Account, kind: AnyConnectorKind): StoredAccount {
    return { id: account.id, kind: account.kind, displayName: safeDisplayName(account.displayName), createdAt: account.createdAt, settings: account.settings, settingsVersion: kind.settingsVersion };
  }

  #refuseDuplicate(kind: AnyConnectorKind, settings: object, except?: string): void {
    const identity = kind.identity(settings);
    const same = this.all().find((d) => d.kind === kind && d.account.id !== except && kind.identity(d.account.settings) === identity);
    if (!same) return;
    const { message, field } = kind.duplicate(same.account.displayName);
    throw new InputError(message, field);
  }

  /** A Matrix account logs out, so its token stops working; the account goes even if the server is away. */
  async #forgetOnServer(account: Account, kind: AnyConnectorKind): Promise<void> {
    if (!kind.forget) return;
    try {
      const secret = await this.#p.secrets.getPassword(account.id);
      if (secret !== null) await kind.forget(account, secret);
    } catch (error) {
      this.#p.log.warn('could not end the session on the server', { accountId: account.id, error });
    }
  }
}

