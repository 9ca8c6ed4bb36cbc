/**
 * The composition root: connectors feed the store, the store answers the contract, and changes
 * go out as events. Electron IPC, the `serve` WebSocket and the in-process CLI all call `call()`.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CallName, CallParams, CallResult, EventName, HubCalls, HubEvents } from '../../src-shared/api.ts';
import type { FeedCredentials, NewItemNotice, UnreadCounts } from '../../src-shared/api.ts';
import type { Account, AccountView, ConnectionState, FeedSettings, InboxItem, ItemDetail, PollActivity } from '../../src-shared/domain.ts';
import { SOURCE_OF_ACCOUNT } from '../../src-shared/domain.ts';
import { fail, ok } from '../../src-shared/result.ts';
import type { Result } from '../../src-shared/result.ts';
import { createLogger, fileSink } from '../common/logger.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../connectors/connector.ts';
import { createKeychainSecretStore, KeychainUnavailableError } from '../secrets/secret-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { InboxStore, SEARCH_INDEX_SLICE } from '../store/inbox-store.ts';
import type { StoredBody, StoredItem } from '../store/inbox-store.ts';
import { StoreError } from '../store/store-error.ts';
import { parseOpml, serializeOpml } from '../connectors/feeds/opml.ts';
import { normalizeIdentity } from '../connectors/feeds/entry-identity.ts';
import { BatchedIds } from './batched-ids.ts';
import { ChatCalls, ChatNotFoundError } from './chat-calls.ts';
import { SecurityCalls } from './security-calls.ts';
import { defaultConnectors } from './connector-registry.ts';
import type { ConnectorRegistry } from './connector-registry.ts';
import { acquireProfileLock, profilePaths } from './profile.ts';
import type { ProfileLock } from './profile.ts';
import {
  InputError,
  parseFeedAccountInput,
  parseMatrixAccountInput,
  parseFeedSettingsInput,
  parseFeedUrl,
  parseId,
  parseIds,
  parseImapAccountInput,
  parseInboxQuery,
  parseOpmlText,
  parsePassword,
  parseSearchQuery,
} from './validate.ts';

export interface HubOptions {
  profileDir: string;
  secrets?: SecretStore;
  connectors?: ConnectorRegistry;
  log?: Logger;
}

type Handlers = { [C in CallName]: (params: unknown) => Promise<HubCalls[C]['result']> };
type Listener = (name: EventName, payload: unknown) => void;

/** Bursts of item or timeline changes become one `inbox.changed` / `chat.changed` event this often. */
const CHANGE_FLUSH_MS = 30;
/** The search index catches up this long after a write, so a sync's batches land first. */
const SEARCH_INDEX_DELAY_MS = 50;
/** How long a just-typed password stays in memory for the server's follow-up prompt (cross-signing). */
const SIGN_IN_PASSWORD_TTL_MS = 5 * 60_000;

export class Hub {
  readonly profileDir: string;
  readonly log: Logger;
  private readonly store: InboxStore;
  private readonly secrets: SecretStore;
  private readonly registry: ConnectorRegistry;
  private readonly lock: ProfileLock;
  private readonly live = new Map<string, Connector>();
  private readonly statuses = new Map<string, ConnectionState>();
  private readonly activities = new Map<string, PollActivity>();
  private readonly listeners = new Set<Listener>();
  private readonly changedAccounts = new BatchedIds(CHANGE_FLUSH_MS, (accountIds) => this.emit('inbox.changed', { accountIds }));
  private searchIndexTimer: NodeJS.Timeout | undefined;
  private readonly changedRooms = new BatchedIds(CHANGE_FLUSH_MS, (itemIds) => this.emit('chat.changed', { itemIds }));
  private readonly chat: ChatCalls;
  private readonly security: SecurityCalls;
  /** Passwords typed moments ago to add an account or sign in again, handed to its connector once. */
  private readonly signInPasswords = new Map<string, { password: string; until: number }>();
  private disposed = false;
  /** Set once startConnectors ran: accounts added later start live too. */
  private liveStarted = false;

  private constructor(options: HubOptions, lock: ProfileLock, store: InboxStore, log: Logger) {
    this.profileDir = options.profileDir;
    this.lock = lock;
    this.store = store;
    this.log = log;
    this.secrets = options.secrets ?? createKeychainSecretStore();
    this.registry = options.connectors ?? defaultConnectors();
    this.chat = new ChatCalls(store, (account, run) =>
      this.withConnector(account, (connector) => {
        if (!connector.chat) throw new UnsupportedError(`${account.displayName} is not a chat account.`);
        return run(connector.chat);
      }),
    );
    this.security = new SecurityCalls((accountId, run) => {
      const account = this.store.getAccount(accountId);
      if (!account) throw new NotFoundError('No account has that id. It may have been removed.');
      return this.withConnector(account, (connector) => {
        if (!connector.encryption) throw new UnsupportedError(`${account.displayName} has no end-to-end encryption.`);
        return run(connector.encryption, account);
      });
    });
    // Rows the last run stored but did not index yet.
    this.scheduleSearchIndexing();
  }

  /** Takes the profile lock and opens the store; throws ProfileLockedError if another hub runs. */
  static open(options: HubOptions): Hub {
    const lock = acquireProfileLock(options.profileDir);
    try {
      const paths = profilePaths(options.profileDir);
      const log = options.log ?? createLogger(fileSink(paths.log), { level: process.env['GROUNDSWELL_LOG_LEVEL'] === 'debug' ? 'debug' : 'info' });
      const store = InboxStore.open(paths.database);
      return new Hub(options, lock, store, log);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  get lockHandle(): ProfileLock {
    return this.lock;
  }

  /** Starts a live connector for every account: connect, catch up, then follow changes. */
  startConnectors(): void {
    this.liveStarted = true;
    for (const account of this.store.listAccounts()) this.startConnector(account);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
    const handler = this.handlers[name] as (params: unknown) => Promise<HubCalls[C]['result']>;
    if (this.disposed) return fail('internal', 'Groundswell is shutting down.') as CallResult<C>;
    try {
      return ok(await handler(params)) as CallResult<C>;
    } catch (error) {
      return this.toFailure(name, error) as CallResult<C>;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.changedAccounts.dispose();
    clearTimeout(this.searchIndexTimer);
    this.changedRooms.dispose();
    await Promise.allSettled([...this.live.values()].map((connector) => connector.stop()));
    this.live.clear();
    this.listeners.clear();
    this.store.close();
    this.lock.release();
  }

  private readonly handlers: Handlers = {
    'accounts.list': async () => this.accountViews(),
    'accounts.addImap': async (raw) => this.addImapAccount(raw),
    'accounts.addFeed': async (raw) => this.addFeedAccount(raw),
    'accounts.updateFeed': async (raw) => this.updateFeed(raw),
    'accounts.remove': async (raw) => {
      await this.removeAccount(parseId(raw, 'accountId', 'Account'));
      return null;
    },
    'accounts.updatePassword': async (raw) =>
      this.updatePassword(parseId(raw, 'accountId', 'Account'), parsePassword(raw)),
    'inbox.list': async (raw) => this.store.listInbox(parseInboxQuery(raw)),
    'inbox.search': async (raw) => this.store.search(parseSearchQuery(raw)),
    'inbox.counts': async () => this.store.unreadCounts(),
    'item.get': async (raw) => this.itemDetail(parseId(raw, 'itemId', 'Item')),
    'item.markRead': async (raw) => {
      await this.setUnread(parseIds(raw), false);
      return null;
    },
    'item.markUnread': async (raw) => {
      await this.setUnread(parseIds(raw), true);
      return null;
    },
    'sync.once': async (raw) => {
      const accountId = (raw as { accountId?: unknown } | undefined)?.accountId;
      const accounts = this.store.listAccounts().filter((a) => accountId === undefined || a.id === accountId);
      if (accountId !== undefined && accounts.length === 0) throw new NotFoundError('No account has that id.');
      // Side by side: a feed that hangs until its timeout must not hold up the mail or the other feeds.
      const results = await Promise.allSettled(accounts.map((account) => this.withConnector(account, (c) => c.syncOnce())));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ account: accounts[i]!, error: r.reason as unknown }] : []));
      if (failed.length === 1 && accounts.length === 1) throw failed[0]!.error;
      if (failed.length > 0) {
        const worst = failed.some((f) => f.error instanceof ConnectorError && f.error.code === 'auth-failed') ? 'auth-failed' : 'connection-failed';
        throw new ConnectorError(
          worst,
          `${failed.length} of ${accounts.length} accounts could not sync (the others did): ` +
            failed.map((f) => `${f.account.displayName}: ${describe(f.error)}`).join('; '),
        );
      }
      return { accounts: accounts.length };
    },
    'feeds.importOpml': async (raw) => this.importOpml(parseOpmlText(raw)),
    'feeds.exportOpml': async () => ({ opml: this.exportOpml() }),
    'accounts.addMatrix': async (raw) => this.addMatrixAccount(raw),
    'chat.timeline': async (raw) => this.chat.timeline(raw),
    'chat.send': async (raw) => this.chat.send(raw),
    'chat.retry': async (raw) => this.chat.retry(raw),
    'chat.respondToInvite': async (raw) => this.chat.respondToInvite(raw),
    'chat.media': async (raw) => this.chat.media(raw),
    'chat.typing': async (raw) => this.chat.typing(raw),
    'security.status': async (raw) => this.security.status(raw),
    'security.setUpCrossSigning': async (raw) => this.security.setUpCrossSigning(raw),
    'security.verifyDevice': async (raw) => this.security.verifyDevice(raw),
    'security.respondToVerification': async (raw) => this.security.respondToVerification(raw),
    'security.setUpBackup': async (raw) => this.security.setUpBackup(raw),
    'security.restoreBackup': async (raw) => this.security.restoreBackup(raw),
    'security.resetBackup': async (raw) => this.security.resetBackup(raw),
  };

  private accountViews(): AccountView[] {
    const counts = this.store.unreadCounts();
    return this.store.listAccounts().map((account) => this.viewOf(account, counts));
  }

  private viewOf(account: Account, counts: UnreadCounts = this.store.unreadCounts()): AccountView {
    const activity = this.activities.get(account.id);
    return {
      account,
      status: this.statuses.get(account.id) ?? { state: 'stopped' },
      ...(activity ? { activity } : {}),
      unread: counts.byAccount[account.id] ?? 0,
      priorityUnread: counts.priorityByAccount[account.id] ?? 0,
    };
  }

  private async addImapAccount(raw: unknown): Promise<AccountView> {
    const input = parseImapAccountInput(raw);
    const account: Account = {
      id: randomUUID(),
      kind: 'imap',
      displayName: input.displayName,
      createdAt: Date.now(),
      settings: {
        host: input.host,
        port: input.port,
        security: input.security,
        user: input.user,
        syncWindowDays: input.syncWindowDays,
        syncMaxMessages: input.syncMaxMessages,
      },
    };
    const verified = await this.connectorKind(account).verify(account, input.password);
    return this.saveAccount(verified.account, verified.secret);
  }

  private async addMatrixAccount(raw: unknown): Promise<AccountView> {
    const input = parseMatrixAccountInput(raw);
    const account: Account = {
      id: randomUUID(),
      kind: 'matrix',
      displayName: input.displayName,
      createdAt: Date.now(),
      settings: { homeserverUrl: input.homeserverUrl ?? '', userId: input.user },
    };
    const verified = await this.connectorKind(account).verify(account, input.password).catch((error: unknown) => {
      // A homeserver that cannot be found or is not one belongs beside the field it came from.
      if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input' || error.code === 'connection-failed')) {
        throw new InputError(error.message, input.homeserverUrl ? 'homeserverUrl' : 'userId');
      }
      throw error;
    });
    const duplicate = this.store
      .listAccounts()
      .find((a) => a.kind === 'matrix' && verified.account.kind === 'matrix' && a.settings.userId === verified.account.settings.userId && a.settings.homeserverUrl === verified.account.settings.homeserverUrl);
    if (duplicate) {
      // The login just made a second device; end it rather than leave it behind.
      await this.connectorKind(account).forget?.(verified.account, verified.secret ?? '').catch(() => undefined);
      throw new InputError(`This Matrix account is already here as "${duplicate.displayName}".`, 'userId');
    }
    this.holdSignInPassword(account.id, input.password);
    return this.saveAccount(verified.account, verified.secret);
  }

  private async addFeedAccount(raw: unknown): Promise<AccountView> {
    const input = parseFeedAccountInput(raw);
    const duplicate = this.findFeed(input.url);
    if (duplicate) throw new InputError(`You already follow this feed as "${duplicate.displayName}".`, 'url');
    const account: Account = {
      id: randomUUID(),
      kind: 'feed',
      displayName: input.displayName,
      createdAt: Date.now(),
      settings: { ...feedAuth(input.credentials), url: input.url, intervalSeconds: input.intervalSeconds, folder: input.folder, alertLevel: input.alertLevel, keywords: input.keywords },
    };
    const secret = feedSecret(input.credentials);
    const { account: verified } = await this.connectorKind(account).verify(account, secret).catch((error: unknown) => {
      // Whatever is wrong with the address belongs beside the address field.
      if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input')) throw new InputError(error.message, 'url');
      throw error;
    });
    // Autodiscovery may have led from a page to a feed already followed.
    if (verified.kind === 'feed' && verified.settings.url !== input.url) {
      const again = this.findFeed(verified.settings.url);
      if (again) throw new InputError(`That page's feed is already followed as "${again.displayName}".`, 'url');
    }
    return this.saveAccount(verified, secret);
  }

  /** The keychain first: an account row without its secret would fail at every start. */
  private async saveAccount(account: Account, secret: string | undefined): Promise<AccountView> {
    if (secret !== undefined) await this.secrets.setPassword(account.id, secret);
    this.store.insertAccount(account);
    this.log.info('account added', { accountId: account.id, kind: account.kind });
    this.emit('accounts.changed', {});
    if (this.liveStarted) this.startConnector(account);
    return this.viewOf(account);
  }

  private findFeed(url: string): Account | undefined {
    const wanted = normalizeIdentity(url);
    return this.store.listAccounts().find((a) => a.kind === 'feed' && normalizeIdentity(a.settings.url) === wanted);
  }

  private async updateFeed(raw: unknown): Promise<AccountView> {
    const input = parseFeedSettingsInput(raw);
    const account = this.store.getAccount(input.accountId);
    if (!account) throw new NotFoundError('No account has that id. It may have been removed.');
    if (account.kind !== 'feed') throw new InputError('Only feeds have these settings.', 'accountId');
    const { accountId: _id, displayName, ...settings } = input;
    const updated: Account = {
      ...account,
      displayName: displayName ?? account.displayName,
      settings: { ...account.settings, ...definedOnly(settings) },
    };
    this.store.updateAccount(updated);
    this.log.info('feed settings changed', { accountId: account.id });
    await this.restartConnector(updated);
    this.emit('accounts.changed', {});
    return this.viewOf(updated);
  }

  /** Subscribes without fetching each feed first: hundreds of feeds would take minutes; each reports its own errors once polled. */
  private importOpml(text: string): { added: number; skipped: { url: string; reason: string }[] } {
    let entries;
    try {
      entries = parseOpml(text);
    } catch (error) {
      throw new InputError(describe(error), 'opml');
    }
    const skipped: { url: string; reason: string }[] = [];
    const followed = new Set(this.store.listAccounts().flatMap((a) => (a.kind === 'feed' ? [normalizeIdentity(a.settings.url)] : [])));
    const added: Account[] = [];
    for (const entry of entries) {
      let url: string;
      try {
        url = parseFeedUrl(entry.url);
      } catch (error) {
        skipped.push({ url: entry.url, reason: describe(error) });
        continue;
      }
      if (followed.has(normalizeIdentity(url))) {
        skipped.push({ url, reason: 'Already followed.' });
        continue;
      }
      followed.add(normalizeIdentity(url));
      const account: Account = {
        id: randomUUID(),
        kind: 'feed',
        displayName: entry.title?.trim() || new URL(url).hostname,
        createdAt: Date.now() + added.length,
        settings: { url, ...(entry.siteUrl ? { siteUrl: entry.siteUrl } : {}), intervalSeconds: 600, folder: entry.folder ?? '', alertLevel: 'badge', keywords: [], auth: 'none' },
      };
      this.store.insertAccount(account);
      added.push(account);
    }
    this.log.info('OPML imported', { added: added.length, skipped: skipped.length });
    if (added.length > 0) this.emit('accounts.changed', {});
    if (this.liveStarted) for (const account of added) this.startConnector(account);
    return { added: added.length, skipped };
  }

  private exportOpml(): string {
    const feeds = this.store.listAccounts().flatMap((a) =>
      a.kind === 'feed'
        ? [{ url: a.settings.url, title: a.displayName, ...(a.settings.siteUrl ? { siteUrl: a.settings.siteUrl } : {}), ...(a.settings.folder ? { folder: a.settings.folder } : {}) }]
        : [],
    );
    return serializeOpml(feeds, 'Groundswell feeds');
  }

  private async removeAccount(accountId: string): Promise<void> {
    const account = this.store.getAccount(accountId);
    if (!account) throw new NotFoundError('No account has that id. It may have been removed already.');
    await this.live.get(accountId)?.stop();
    this.live.delete(accountId);
    this.statuses.delete(accountId);
    this.activities.delete(accountId);
    await this.forgetOnServer(account);
    this.signInPasswords.delete(accountId);
    this.store.deleteAccount(accountId);
    try {
      rmSync(this.accountDataDir(accountId), { recursive: true, force: true });
    } catch (error) {
      this.log.warn('could not delete the account folder', { accountId, error });
    }
    await this.secrets.deletePassword(accountId).catch((error: unknown) => {
      this.log.warn('could not delete the password from the keychain', { accountId, error });
    });
    this.log.info('account removed', { accountId });
    this.emit('accounts.changed', {});
    this.emit('inbox.changed', { accountIds: [accountId] });
  }

  /** A Matrix account logs out, so its token stops working; the account goes even if the server is away. */
  private async forgetOnServer(account: Account): Promise<void> {
    const forget = this.registry[account.kind]?.forget;
    if (!forget) return;
    try {
      const secret = await this.secrets.getPassword(account.id);
      if (secret !== null) await forget(account, secret);
    } catch (error) {
      this.log.warn('could not end the session on the server', { accountId: account.id, error });
    }
  }

  private async updatePassword(accountId: string, password: string): Promise<AccountView> {
    const account = this.store.getAccount(accountId);
    if (!account) throw new NotFoundError('No account has that id. It may have been removed.');
    if (account.kind === 'feed' && account.settings.auth === 'none') {
      throw new InputError('This feed does not sign in; there is no password to change.', 'password');
    }
    const previousSecret = (await this.secrets.getPassword(account.id).catch(() => null)) ?? undefined;
    const verified = await this.connectorKind(account).verify(account, password, previousSecret);
    if (verified.secret !== undefined) await this.secrets.setPassword(account.id, verified.secret);
    if (account.kind === 'matrix') this.holdSignInPassword(account.id, password);
    if (JSON.stringify(verified.account.settings) !== JSON.stringify(account.settings)) this.store.updateAccount(verified.account);
    this.log.info('account password updated', { accountId });
    await this.restartConnector(verified.account);
    this.emit('accounts.changed', {});
    return this.viewOf(verified.account);
  }

  /** A live connector picks up new settings or a new password by starting afresh. */
  private async restartConnector(account: Account): Promise<void> {
    const live = this.live.get(account.id);
    if (!live) return;
    this.live.delete(account.id);
    await live.stop();
    this.startConnector(account);
  }

  private async itemDetail(itemId: string): Promise<ItemDetail> {
    const stored = this.store.getItem(itemId);
    if (!stored) throw new NotFoundError('That item no longer exists; it may have been deleted on the server.');
    const item = toInboxItem(stored);
    const cached = this.store.getBody(itemId);
    if (cached) {
      return { item, headers: cached.headers, bodyText: cached.bodyText, ...(cached.content ? { content: cached.content } : {}) };
    }
    const account = this.store.getAccount(stored.accountId);
    if (!account) throw new NotFoundError('The account of that item was removed.');
    try {
      const detail = await this.withConnector(account, (connector) => connector.loadDetail(item));
      if (!detail.bodyError) this.store.putBody(itemId, { headers: detail.headers, bodyText: detail.bodyText, fetchedAt: Date.now() });
      return { item, ...detail };
    } catch (error) {
      this.log.warn('could not load item body', { itemId, error });
      return {
        item,
        headers: [],
        bodyText: item.snippet,
        bodyError: `The full message could not be loaded (${describe(error)}). Showing the preview; try again when the account is online.`,
      };
    }
  }

  /** Local state first so the UI reacts at once; the server follows, and a refusal rolls back. */
  private async setUnread(ids: string[], unread: boolean): Promise<void> {
    const items = this.store.getItems(ids);
    if (items.length === 0) throw new NotFoundError('Those items no longer exist.');
    const changed = new Set(this.store.setUnread(items.map((i) => i.id), unread));
    const byAccount = groupBy(items, (i) => i.accountId);
    this.emit('inbox.changed', { accountIds: [...byAccount.keys()] });
    const failures: string[] = [];
    for (const [accountId, accountItems] of byAccount) {
      const account = this.store.getAccount(accountId);
      if (!account) continue;
      try {
        const inboxItems = accountItems.map(toInboxItem);
        await this.withConnector(account, (c) => (unread ? c.markUnread(inboxItems) : c.markRead(inboxItems)));
      } catch (error) {
        this.store.setUnread(accountItems.filter((i) => changed.has(i.id)).map((i) => i.id), !unread);
        this.emit('inbox.changed', { accountIds: [accountId] });
        failures.push(`${account.displayName}: ${describe(error)}`);
        this.log.warn('could not change read state on the server', { accountId, error });
      }
    }
    if (failures.length > 0) {
      throw new ConnectorError(
        'connection-failed',
        `Could not mark as ${unread ? 'unread' : 'read'} on the server (${failures.join('; ')}). Nothing was changed; try again when the account is online.`,
      );
    }
  }

  /** Uses the live connector when there is one, else a short-lived one (CLI without a running hub). */
  private async withConnector<T>(account: Account, run: (connector: Connector) => Promise<T>): Promise<T> {
    const live = this.live.get(account.id);
    if (live) return run(live);
    const connector = this.connectorKind(account).create(this.contextFor(account));
    try {
      return await run(connector);
    } finally {
      await connector.stop();
    }
  }

  private startConnector(account: Account): void {
    if (this.live.has(account.id) || this.disposed) return;
    const kind = this.registry[account.kind];
    if (!kind) {
      this.setStatus(account.id, { state: 'offline', reason: `${account.kind} accounts are not supported yet.`, nextRetryAt: 0 });
      return;
    }
    const connector = kind.create(this.contextFor(account));
    this.live.set(account.id, connector);
    connector.start();
  }

  private connectorKind(account: Account) {
    const kind = this.registry[account.kind];
    if (!kind) throw new UnsupportedError(`${account.kind} accounts are not supported by this version of Groundswell yet.`);
    return kind;
  }

  private accountDataDir(accountId: string): string {
    return join(profilePaths(this.profileDir).accounts, accountId);
  }

  private holdSignInPassword(accountId: string, password: string): void {
    const now = Date.now();
    for (const [id, held] of this.signInPasswords) if (held.until <= now) this.signInPasswords.delete(id);
    this.signInPasswords.set(accountId, { password, until: now + SIGN_IN_PASSWORD_TTL_MS });
  }

  private contextFor(account: Account): ConnectorContext {
    const log = this.log.child(`${account.kind}.${account.id.slice(0, 8)}`);
    const toStored = ({ detail, ...item }: ConnectorItem): StoredItem & { body?: StoredBody } => ({
      ...item,
      id: `${account.id}:${item.externalId}`,
      accountId: account.id,
      source: SOURCE_OF_ACCOUNT[account.kind],
      ...(detail ? { body: { ...detail, fetchedAt: Date.now() } } : {}),
    });
    return {
      account,
      log,
      readSecret: async () => {
        const secret = await this.secrets.getPassword(account.id);
        if (secret === null) {
          throw new ConnectorError('auth-failed', 'The password for this account is missing from the system keychain. Remove the account and add it again.');
        }
        return secret;
      },
      writeSecret: (secret) => this.secrets.setPassword(account.id, secret),
      takeSignInPassword: () => {
        const held = this.signInPasswords.get(account.id);
        this.signInPasswords.delete(account.id);
        return held && held.until > Date.now() ? held.password : undefined;
      },
      dataDir: this.accountDataDir(account.id),
      readCursor: <T>(key: string) => this.store.readCursor<T>(account.id, key),
      writeCursor: (key, value) => this.store.writeCursor(account.id, key, value),
      knownExternalIds: (scope) => this.store.knownExternalIds(account.id, scope),
      knownReadState: (scope) => this.store.knownReadState(account.id, scope),
      knownItems: (scope) => this.store.knownItems(account.id, scope),
      status: (state) => this.setStatus(account.id, state),
      activity: (activity) => {
        if (this.disposed) return;
        this.activities.set(account.id, activity);
        this.emit('account.status', { accountId: account.id, connection: this.statuses.get(account.id) ?? { state: 'stopped' }, activity });
      },
      updateSettings: (settings) => {
        if (this.disposed) return;
        const current = this.store.getAccount(account.id);
        if (!current || current.kind !== account.kind) return;
        this.store.updateAccount({ ...current, settings } as Account);
        this.emit('accounts.changed', {});
      },
      notify: (externalIds) => {
        if (this.disposed) return;
        const items = this.store.getItems(externalIds.map((externalId) => `${account.id}:${externalId}`));
        const notices: NewItemNotice[] = items
          .filter((i) => i.unread)
          .map((i) => ({ itemId: i.id, accountName: account.displayName, title: i.title, snippet: i.snippet }));
        if (notices.length > 0) this.emit('inbox.notify', { items: notices });
      },
      upsert: (items) => {
        if (items.length === 0 || this.disposed) return;
        if (this.store.upsertItems(items.map(toStored)) > 0) {
          this.noteChanged(account.id);
          this.scheduleSearchIndexing();
        }
      },
      setUnread: (changes) => {
        if (changes.length === 0 || this.disposed) return;
        if (this.store.setUnreadByExternalId(account.id, changes) > 0) this.noteChanged(account.id);
      },
      remove: (externalIds) => {
        if (externalIds.length === 0 || this.disposed) return;
        if (this.store.removeItems(account.id, externalIds) > 0) this.noteChanged(account.id);
      },
      clearScope: (scope) => {
        if (this.disposed) return;
        if (this.store.clearScope(account.id, scope) > 0) this.noteChanged(account.id);
      },
      chatChanged: (externalIds) => {
        if (this.disposed) return;
        this.changedRooms.add(externalIds.map((externalId) => `${account.id}:${externalId}`));
      },
      securityChanged: () => {
        if (this.disposed) return;
        this.emit('security.changed', { accountId: account.id });
      },
    };
  }

  private setStatus(accountId: string, connection: ConnectionState): void {
    this.statuses.set(accountId, connection);
    const activity = this.activities.get(accountId);
    this.emit('account.status', { accountId, connection, ...(activity ? { activity } : {}) });
  }

  /**
   * Indexes stored rows for search one slice at a time, yielding between slices so connectors and
   * calls are never held up for long. A search before it finishes indexes the rest itself.
   */
  private scheduleSearchIndexing(): void {
    if (this.searchIndexTimer !== undefined || this.disposed) return;
    this.searchIndexTimer = setTimeout(() => {
      this.searchIndexTimer = undefined;
      if (this.disposed) return;
      try {
        if (this.store.indexPendingSearch() === SEARCH_INDEX_SLICE) this.scheduleSearchIndexing();
      } catch (error) {
        // Search indexes what is left when it runs; the next write tries the background again.
        this.log.warn('search indexing failed', { error });
      }
    }, SEARCH_INDEX_DELAY_MS);
  }

  private noteChanged(accountId: string): void {
    this.changedAccounts.add([accountId]);
  }

  private emit<E extends EventName>(name: E, payload: HubEvents[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        this.log.error('event listener failed', { event: name, error });
      }
    }
  }

  private toFailure(call: CallName, error: unknown): Result<never> {
    if (error instanceof InputError) return fail('invalid-input', error.message, error.field);
    if (error instanceof NotFoundError || error instanceof ChatNotFoundError) return fail('not-found', error.message);
    if (error instanceof UnsupportedError) return fail('unsupported', error.message);
    if (error instanceof KeychainUnavailableError) return fail('keychain-unavailable', error.message);
    if (error instanceof StoreError && error.code !== 'profile-too-new') return fail(error.code, error.message);
    if (error instanceof ConnectorError) {
      switch (error.code) {
        case 'auth-failed':
          return fail('auth-failed', error.message, 'password');
        case 'connection-failed':
          return fail('connection-failed', error.message);
        case 'invalid-input':
          return fail('invalid-input', error.message);
        case 'not-found':
          return fail('not-found', error.message);
        case 'protocol':
          return fail('connection-failed', error.message);
      }
    }
    this.log.error('call failed', { call, error });
    return fail('internal', `Something went wrong inside Groundswell (${call}). Details are in ${profilePaths(this.profileDir).log}.`);
  }
}

class NotFoundError extends Error {}
class UnsupportedError extends Error {}

function toInboxItem(stored: StoredItem): InboxItem {
  const { externalId: _e, scope: _s, searchText: _t, ...item } = stored;
  return item;
}

function feedAuth(credentials: FeedCredentials | undefined): Pick<FeedSettings, 'auth' | 'username'> {
  if (!credentials) return { auth: 'none' };
  return credentials.kind === 'basic' ? { auth: 'basic', username: credentials.username } : { auth: 'bearer' };
}

function feedSecret(credentials: FeedCredentials | undefined): string | undefined {
  if (!credentials) return undefined;
  return credentials.kind === 'basic' ? credentials.password : credentials.token;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function groupBy<T>(values: T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
