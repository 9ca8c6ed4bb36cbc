/**
 * A connector kind is one source as a plug-in: everything the hub needs to add, store, change and
 * run accounts of that kind, without the hub ever naming the kind. Each kind folder exports one
 * from its entry module (`<kind>/kind.ts`), which stays light: the protocol code behind `create`
 * and `verify` loads only when an account of the kind starts or is added.
 */
import type { KindCapability, KindField, MailAutoconfig, SignInOptions } from '../../src-shared/api.ts';
import type { AttentionLevel, RuleMatch } from '../../src-shared/attention.ts';
import type { Account, SourceKind } from '../../src-shared/domain.ts';
import type { OAuthProviderSetting } from '../../src-shared/preferences.ts';
import type { Connector, ConnectorContext } from './connector.ts';

/** An account as the user described it, before its server has seen it. */
export interface AccountDraft<S extends object> {
  /** Empty: the kind fills one in once verified (the feed's title, the Matrix user id). */
  displayName: string;
  settings: S;
  /** What is checked with the server and kept in the keychain (a password, a feed's token); none for an open feed. */
  secret: string | undefined;
  /** Further secrets the account keeps in keychain entries of their own (an SMTP password), by name. */
  extraSecrets?: Record<string, string>;
  /** What a browser sign-in brought back (`input.grant`), which `browserSignIn.complete` turns into the secret to keep. */
  grant?: string;
}

/** What a browser sign-in needs from the hub. */
export interface BrowserSignInContext {
  /** The loopback address the provider sends the browser back to (http://127.0.0.1:PORT/…). */
  redirectUri: string;
  /** The `oauthProviders` preference. */
  oauthProviders: readonly OAuthProviderSetting[];
}

export interface BrowserSignInStart {
  /** The provider's page, opened in the system browser. */
  url: string;
  /** Reads the redirect the browser came back with; what it returns reaches `draft` as `input.grant`, then `complete`. */
  finish(callback: URL): Promise<string>;
}

/** Sign-in through the system browser (OAuth2, single sign-on), for kinds that offer it. */
export interface BrowserSignInCapability<S extends object> {
  options(input: unknown, ctx: Omit<BrowserSignInContext, 'redirectUri'>): Promise<SignInOptions>;
  /** For a new account, from the add-account input (which names the provider). */
  start(input: unknown, ctx: BrowserSignInContext): Promise<BrowserSignInStart>;
  /** For an account signing in again. */
  startAgain(settings: S, ctx: BrowserSignInContext): Promise<BrowserSignInStart>;
  /** Whether this account signs in through the browser ("Sign in again" opens it). */
  uses(settings: S): boolean;
  /**
   * What `verify` is for a password: proves the grant with the server (a first login, a login token
   * exchanged) and returns the account and the secret to keep. `previousSecret`: signing in again.
   */
  complete(account: Account<S>, grant: string, previousSecret?: string): Promise<VerifiedAccount<S>>;
}

/** An account as it should be saved, and the secret the keychain keeps for it. */
export interface VerifiedAccount<S extends object> {
  account: Account<S>;
  /** A password or token to keep (a Matrix login keeps its session, never the password). */
  secret: string | undefined;
  /** The further secrets to keep, by name (see AccountDraft). */
  extraSecrets?: Record<string, string>;
}

/** Feeds in an OPML document, as drafts the hub saves without fetching each first. */
export interface OpmlImport<S extends object> {
  drafts: AccountDraft<S>[];
  skipped: { url: string; reason: string }[];
}

export interface OpmlCapability<S extends object> {
  /** Throws InputError when the document is not OPML. */
  read(text: string): Promise<OpmlImport<S>>;
  write(accounts: Account<S>[]): Promise<string>;
  /** How an entry is named in "skipped" lists (its address). */
  label(settings: S): string;
}

/**
 * A rule an account's own settings make (a feed's alert level and priority keywords): the hub
 * keeps it in the one rule list, scoped to the account, and sends edits of it back here.
 */
export interface AccountRule {
  /** Which of the account's rules this is, stable across edits ("alerts", "keywords"). */
  key: string;
  name: string;
  /** Without the account: the hub adds it. */
  match: Omit<RuleMatch, 'accountId' | 'conversation'>;
  level: AttentionLevel;
  priority: boolean;
}

export interface AttentionCapability<S extends object> {
  /** The rules these settings make; none when the defaults say it all. */
  rules(account: Account<S>): AccountRule[];
  /**
   * The settings changes (for `applyChanges`) that give rule `key` another level, or remove it
   * (level null); a message instead when the settings cannot say that, saying what can.
   */
  change(key: string, change: { level: AttentionLevel } | null): Record<string, unknown> | string;
}

/** Stored settings from a newer Groundswell: refused rather than guessed at, so nothing is lost. */
export class SettingsTooNewError extends Error {
  constructor(kindLabel: string, version: number) {
    super(`This ${kindLabel} account was saved by a newer Groundswell (settings version ${version}). Update Groundswell to use it; nothing was changed.`);
    this.name = 'SettingsTooNewError';
  }
}

export interface ConnectorKind<S extends object = object> {
  /** Stored with each account; never changes once shipped. */
  readonly kind: string;
  readonly source: SourceKind;
  readonly label: string;
  readonly description: string;
  /** The add-account input, as forms and the CLI show it. */
  readonly fields: readonly KindField[];
  /** What the hub can ask of this kind's connectors beyond the inbox. */
  readonly capabilities: readonly KindCapability[];
  /** The version `decodeSettings` reads and the hub stores new settings as. */
  readonly settingsVersion: number;
  /** Checks the add-account input, throwing InputError that names the field, and drafts the account. */
  draft(input: unknown): AccountDraft<S>;
  /** What makes two accounts one and the same (the same login, the same feed), for the duplicate check. */
  identity(settings: S): string;
  /** "You already follow this feed as …": said beside `field` when the identity is taken. */
  duplicate(existingName: string): { message: string; field: string };
  /**
   * Reads settings stored at `version`: older versions are upgraded and missing fields get their
   * defaults; a version newer than `settingsVersion` is refused with an error that says to update.
   */
  decodeSettings(stored: unknown, version: number): S;
  /** Applies `accounts.update` changes (InputError names a wrong field); `recheck` asks the server first. */
  applyChanges(settings: S, changes: Record<string, unknown>): { settings: S; recheck: boolean; extraSecrets?: Record<string, string> };
  /**
   * The names of the further secrets this kind may keep (each its own keychain entry, removed with
   * the account; a change that stops using one deletes it when `applyChanges` gives it as '').
   */
  readonly extraSecretNames?: readonly string[];
  /** One line: where the account lives. */
  describe(account: Account<S>): string;
  /** Whether "Sign in again" applies: the account keeps a password or token. */
  signsIn(settings: S): boolean;
  /**
   * Proves settings and secret with the server before the account is saved (throws ConnectorError,
   * or InputError naming the field). May complete the account: a page's feed, a homeserver, a device.
   */
  verify(account: Account<S>, secret: string | undefined, previousSecret?: string, extraSecrets?: Record<string, string>): Promise<VerifiedAccount<S>>;
  /** Loads the kind's protocol code, first time only, and makes a connector for one account. */
  create(ctx: ConnectorContext<S>): Promise<Connector>;
  /** Ends the account's session on its server when it is removed (a Matrix logout); best effort. */
  forget?(account: Account<S>, secret: string): Promise<void>;
  /** The password just typed is kept a few minutes for the server's follow-up prompt (cross-signing). */
  readonly holdsSignInPassword?: boolean;
  readonly opml?: OpmlCapability<S>;
  readonly browserSignIn?: BrowserSignInCapability<S>;
  /** Settings that carry attention rules of their own (feeds: alert level and keywords). */
  readonly attention?: AttentionCapability<S>;
  /** Deleting on this kind's server cannot be reliably undone (leaving a room): `items.triage` asks for `confirm`. */
  readonly confirmsDelete?: boolean;
  /**
   * Finds the settings of an account from an email address (`accounts.autoconfig`); the answer's
   * `input` is this kind's add-account input, which the user looks at before it is added.
   */
  autoconfig?(email: unknown, password: string | undefined): Promise<MailAutoconfig>;
}

/** Any kind, as the hub holds them side by side. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnectorKind = ConnectorKind<any>;
