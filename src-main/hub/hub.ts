/**
 * The composition root: connectors feed the store, the store answers the contract, and changes
 * go out as events. Electron IPC, the `serve` WebSocket and the in-process CLI all call `call()`.
 */
import { randomUUID } from 'node:crypto';
import type { CallName, CallParams, CallResult, EventName, HubCalls, HubEvents } from '../../src-shared/api.ts';
import type { Account, AccountView, ConnectionState, InboxItem, ItemDetail } from '../../src-shared/domain.ts';
import { SOURCE_OF_ACCOUNT } from '../../src-shared/domain.ts';
import { fail, ok } from '../../src-shared/result.ts';
import type { Result } from '../../src-shared/result.ts';
import { createLogger, fileSink } from '../common/logger.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../connectors/connector.ts';
import { createKeychainSecretStore, KeychainUnavailableError } from '../secrets/secret-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { InboxStore } from '../store/inbox-store.ts';
import type { StoredItem } from '../store/inbox-store.ts';
import { StoreError } from '../store/store-error.ts';
import { defaultConnectors } from './connector-registry.ts';
import type { ConnectorRegistry } from './connector-registry.ts';
import { acquireProfileLock, profilePaths } from './profile.ts';
import type { ProfileLock } from './profile.ts';
import { InputError, parseId, parseIds, parseImapAccountInput, parseInboxQuery, parsePassword, parseSearchQuery } from './validate.ts';

export interface HubOptions {
  profileDir: string;
  secrets?: SecretStore;
  connectors?: ConnectorRegistry;
  log?: Logger;
}

type Handlers = { [C in CallName]: (params: unknown) => Promise<HubCalls[C]['result']> };
type Listener = (name: EventName, payload: unknown) => void;

/** Coalesces bursts of item changes into one `inbox.changed` event. */
const CHANGE_FLUSH_MS = 30;

export class Hub {
  readonly profileDir: string;
  readonly log: Logger;
  private readonly store: InboxStore;
  private readonly secrets: SecretStore;
  private readonly registry: ConnectorRegistry;
  private readonly lock: ProfileLock;
  private readonly live = new Map<string, Connector>();
  private readonly statuses = new Map<string, ConnectionState>();
  private readonly listeners = new Set<Listener>();
  private readonly changedAccounts = new Set<string>();
  private changeTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Set once startConnectors ran: accounts added later start live too. */
  private liveStarted = false;

  private constructor(options: HubOptions, lock: ProfileLock, store: InboxStore, log: Logger) {
    this.profileDir = options.profileDir;
    this.lock = lock;
    this.store = store;
    this.log = log;
    this.secrets = options.secrets ?? createKeychainSecretStore();
    this.registry = options.connectors ?? defaultConnectors;
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
    clearTimeout(this.changeTimer);
    await Promise.allSettled([...this.live.values()].map((connector) => connector.stop()));
    this.live.clear();
    this.listeners.clear();
    this.store.close();
    this.lock.release();
  }

  private readonly handlers: Handlers = {
    'accounts.list': async () => this.accountViews(),
    'accounts.addImap': async (raw) => this.addImapAccount(raw),
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
      for (const account of accounts) await this.withConnector(account, (connector) => connector.syncOnce());
      return { accounts: accounts.length };
    },
  };

  private accountViews(): AccountView[] {
    const counts = this.store.unreadCounts();
    return this.store.listAccounts().map((account) => this.viewOf(account, counts.byAccount[account.id] ?? 0));
  }

  private viewOf(account: Account, unread: number): AccountView {
    return { account, status: this.statuses.get(account.id) ?? { state: 'stopped' }, unread };
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
    const kind = this.connectorKind(account);
    await kind.verify(account, input.password);
    // The keychain first: an account row without its password would fail at every start.
    await this.secrets.setPassword(account.id, input.password);
    this.store.insertAccount(account);
    this.log.info('account added', { accountId: account.id, kind: account.kind });
    this.emit('accounts.changed', {});
    if (this.liveStarted) this.startConnector(account);
    return this.viewOf(account, 0);
  }

  private async removeAccount(accountId: string): Promise<void> {
    const account = this.store.getAccount(accountId);
    if (!account) throw new NotFoundError('No account has that id. It may have been removed already.');
    await this.live.get(accountId)?.stop();
    this.live.delete(accountId);
    this.statuses.delete(accountId);
    this.store.deleteAccount(accountId);
    await this.secrets.deletePassword(accountId).catch((error: unknown) => {
      this.log.warn('could not delete the password from the keychain', { accountId, error });
    });
    this.log.info('account removed', { accountId });
    this.emit('accounts.changed', {});
    this.emit('inbox.changed', { accountIds: [accountId] });
  }

  private async updatePassword(accountId: string, password: string): Promise<AccountView> {
    const account = this.store.getAccount(accountId);
    if (!account) throw new NotFoundError('No account has that id. It may have been removed.');
    await this.connectorKind(account).verify(account, password);
    await this.secrets.setPassword(account.id, password);
    this.log.info('account password updated', { accountId });
    const live = this.live.get(accountId);
    if (live) {
      this.live.delete(accountId);
      await live.stop();
      this.startConnector(account);
    }
    this.emit('accounts.changed', {});
    return this.viewOf(account, this.store.unreadCounts().byAccount[accountId] ?? 0);
  }

  private async itemDetail(itemId: string): Promise<ItemDetail> {
    const stored = this.store.getItem(itemId);
    if (!stored) throw new NotFoundError('That item no longer exists; it may have been deleted on the server.');
    const item = toInboxItem(stored);
    const cached = this.store.getBody(itemId);
    if (cached) return { item, headers: cached.headers, bodyText: cached.bodyText };
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

  private contextFor(account: Account): ConnectorContext {
    const log = this.log.child(`${account.kind}.${account.id.slice(0, 8)}`);
    const toStored = (item: ConnectorItem): StoredItem => ({
      ...item,
      id: `${account.id}:${item.externalId}`,
      accountId: account.id,
      source: SOURCE_OF_ACCOUNT[account.kind],
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
      readCursor: <T>(key: string) => this.store.readCursor<T>(account.id, key),
      writeCursor: (key, value) => this.store.writeCursor(account.id, key, value),
      knownExternalIds: (scope) => this.store.knownExternalIds(account.id, scope),
      knownReadState: (scope) => this.store.knownReadState(account.id, scope),
      status: (state) => this.setStatus(account.id, state),
      upsert: (items) => {
        if (items.length === 0 || this.disposed) return;
        if (this.store.upsertItems(items.map(toStored)) > 0) this.noteChanged(account.id);
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
    };
  }

  private setStatus(accountId: string, connection: ConnectionState): void {
    this.statuses.set(accountId, connection);
    this.emit('account.status', { accountId, connection });
  }

  private noteChanged(accountId: string): void {
    this.changedAccounts.add(accountId);
    this.changeTimer ??= setTimeout(() => {
      this.changeTimer = undefined;
      const accountIds = [...this.changedAccounts];
      this.changedAccounts.clear();
      this.emit('inbox.changed', { accountIds });
    }, CHANGE_FLUSH_MS);
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
    if (error instanceof NotFoundError) return fail('not-found', error.message);
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
