/**
 * Connector supervision: one live connector per account while the hub runs, short-lived ones for
 * a call when none runs (the CLI without a running hub), and the context each connector reports
 * its facts through. Connectors report; the store and the events follow from here.
 */
import { join } from 'node:path';
import type { Account, ConnectionState, PollActivity } from '../../src-shared/domain.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../connectors/connector.ts';
import type { AnyConnectorKind } from '../connectors/kind.ts';
import type { AttentionBook } from './attention/attention-book.ts';
import { KeychainUnavailableError } from '../secrets/secret-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { InboxStore, NewItem, StoredBody } from '../store/inbox-store.ts';
import { StoreError } from '../store/store-error.ts';
import { describe } from './errors.ts';
import type { HubEventBus } from './events.ts';
import { storedItem } from './item-text.ts';
import type { SearchIndexing } from './search-indexing.ts';
import { extraSecretKey } from './secret-keys.ts';
import type { SignInPasswords } from './sign-in-passwords.ts';

export interface SupervisionParts {
  store: InboxStore;
  secrets: SecretStore;
  events: HubEventBus;
  searchIndexing: SearchIndexing;
  signInPasswords: SignInPasswords;
  log: Logger;
  accountsDir: string;
  /** Saves settings a connector learnt (a permanent redirect, a forgotten device). */
  saveSettings(accountId: string, settings: object): void;
  /** Decides each reported item's level and priority before it is stored, and raises notifications after. */
  attention: Pick<AttentionBook, 'decide' | 'record' | 'raise' | 'holdRead'>;
  /** The first wait before looking at an unreadable keychain again (tests shorten it). */
  keychainLookMs?: number;
  /** The account reached its server (again): actions waiting in the outbox can go. */
  online?(accountId: string): void;
}

/** How soon the hub looks at a keychain that could not be read, doubling up to a minute. */
const KEYCHAIN_LOOK_FIRST_MS = 2_000;
const KEYCHAIN_LOOK_MAX_MS = 60_000;

export class ConnectorSupervision {
  readonly #parts: SupervisionParts;
  readonly #live = new Map<string, Promise<Connector>>();
  /** The kind each live account runs as, to start it again when the keychain is back. */
  readonly #kinds = new Map<string, AnyConnectorKind>();
  readonly #statuses = new Map<string, ConnectionState>();
  readonly #activities = new Map<string, PollActivity>();
  /** Accounts whose last write the store refused: the status they had before, and the one it gave. */
  readonly #refusedWrites = new Map<string, { before: ConnectionState; reason: string }>();
  /** Accounts stopped because the keychain could not be read, each with the timer of its next look. */
  readonly #waitingForKeychain = new Map<string, { timer: NodeJS.Timeout; delayMs: number }>();
  #disposed = false;

  constructor(parts: SupervisionParts) {
    this.#parts = parts;
  }

  status(accountId: string): ConnectionState {
    return this.#statuses.get(accountId) ?? { state: 'stopped' };
  }

  activity(accountId: string): PollActivity | undefined {
    return this.#activities.get(accountId);
  }

  /** Starts connecting in the background: the kind's code loads first, then the connector runs. */
  start(account: Account, kind: AnyConnectorKind): void {
    if (this.#live.has(account.id) || this.#disposed) return;
    const connector = kind.create(this.contextFor(account));
    this.#live.set(account.id, connector);
    this.#kinds.set(account.id, kind);
    connector.then(
      (c) => {
        if (this.#live.get(account.id) === connector && !this.#disposed) c.start();
      },
      (error: unknown) => {
        this.#parts.log.error('a connector could not start', { accountId: account.id, error });
        if (this.#live.get(account.id) === connector) this.#live.delete(account.id);
        this.setStatus(account.id, { state: 'offline', reason: `Groundswell could not start this account (${describe(error)}).`, nextRetryAt: 0 });
      },
    );
  }

  /** A refusal to start, kept as the account's status so the user sees why (unknown kind, newer settings). */
  refuse(accountId: string, reason: string): void {
    this.setStatus(accountId, { state: 'offline', reason, nextRetryAt: 0 });
  }

  async stop(accountId: string): Promise<void> {
    const live = this.#live.get(accountId);
    this.#live.delete(accountId);
    this.#kinds.delete(accountId);
    this.#stopWaitingForKeychain(accountId);
    await live?.then((c) => c.stop(), () => undefined);
  }

  /** Forgets an account's status as well (it was removed). */
  async remove(accountId: string): Promise<void> {
    await this.stop(accountId);
    this.#statuses.delete(accountId);
    this.#activities.delete(accountId);
  }

  /** A live connector picks up new settings or a new password by starting afresh. */
  async restart(account: Account, kind: AnyConnectorKind): Promise<void> {
    if (!this.#live.has(account.id)) return;
    await this.stop(account.id);
    this.start(account, kind);
  }

  isLive(accountId: string): boolean {
    return this.#live.has(accountId);
  }

  /** Uses the live connector when there is one, else a short-lived one (CLI without a running hub). */
  async withConnector<T>(account: Account, kind: AnyConnectorKind, run: (connector: Connector) => Promise<T>): Promise<T> {
    const live = this.#live.get(account.id);
    if (live) return run(await live);
    const connector = await kind.create(this.contextFor(account));
    try {
      return await run(connector);
    } finally {
      await connector.stop();
    }
  }

  accountDataDir(accountId: string): string {
    return join(this.#parts.accountsDir, accountId);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const accountId of [...this.#waitingForKeychain.keys()]) this.#stopWaitingForKeychain(accountId);
    const live = [...this.#live.values()];
    this.#live.clear();
    await Promise.allSettled(live.map((connector) => connector.then((c) => c.stop())));
  }

  private setStatus(accountId: string, connection: ConnectionState): void {
    const was = this.#statuses.get(accountId)?.state;
    this.#statuses.set(accountId, connection);
    if (connection.state === 'online' && was !== 'online') this.#parts.online?.(accountId);
    const activity = this.#activities.get(accountId);
    this.#parts.events.emit('account.status', { accountId, connection, ...(activity ? { activity } : {}) });
  }

  /**
   * A connector's write, where a refusal by the store (a full disk, a damaged file) becomes the
   * account's status and a ConnectorError the connector handles like a lost connection: it stops
   * the batch without moving its cursor and tries again later, so the batch lands once the disk
   * has room. The hub process never dies of it, and the user reads why.
   */
  private write<T>(account: Account, run: () => T): T {
    return this.touchStore(account, run, true);
  }

  /** A connector's read: a damaged file fails it the same way, but only a write shows the disk has room again. */
  private read<T>(account: Account, run: () => T): T {
    return this.touchStore(account, run, false);
  }

  private touchStore<T>(account: Account, run: () => T, writes: boolean): T {
    try {
      const result = run();
      const refused = writes ? this.#refusedWrites.get(account.id) : undefined;
      if (refused !== undefined) {
        this.#refusedWrites.delete(account.id);
        this.#parts.log.info('the store takes writes again', { accountId: account.id });
        // A connector following live changes does not report again; put back what it last said.
        const now = this.status(account.id);
        if (now.state === 'offline' && now.reason === refused.reason) this.setStatus(account.id, refused.before);
      }
      return result;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      if (!this.#refusedWrites.has(account.id)) {
        this.#refusedWrites.set(account.id, { before: this.status(account.id), reason: error.message });
        this.#parts.log.warn('the store refused a write', { accountId: account.id, code: error.code });
      }
      this.setStatus(account.id, { state: 'offline', reason: error.message, nextRetryAt: 0 });
      throw new ConnectorError('connection-failed', error.message, { cause: error });
    }
  }

  /**
   * The account's secret from the keychain. A keychain that is locked or not running stops the
   * account as 'auth-failed' ("Sign in again") with the reason, and the hub then looks at the
   * keychain again with backoff: once the secret reads, the account starts by itself. The user
   * unlocks the keychain outside Groundswell, and typing the password again would change nothing
   * (for Matrix it would even make a new device); Sign in again still works once the keychain does.
   */
  private async readSecret(account: Account, name?: string): Promise<string> {
    let secret: string | null;
    try {
      secret = await this.#parts.secrets.getPassword(name === undefined ? account.id : extraSecretKey(account.id, name));
    } catch (error) {
      if (!(error instanceof KeychainUnavailableError)) throw error;
      this.#waitForKeychain(account);
      throw new ConnectorError('auth-failed', error.message, { cause: error });
    }
    if (secret === null) {
      throw new ConnectorError('auth-failed', 'The password for this account is missing from the system keychain. Choose Sign in again and enter it.');
    }
    return secret;
  }

  #waitForKeychain(account: Account): void {
    if (this.#disposed || this.#waitingForKeychain.has(account.id)) return;
    this.#parts.log.warn('the keychain cannot be read; waiting for it', { accountId: account.id });
    const look = (delayMs: number) => {
      const timer = setTimeout(() => {
        this.#parts.secrets.getPassword(account.id).then(
          () => {
            if (this.#waitingForKeychain.get(account.id)?.timer !== timer) return;
            this.#waitingForKeychain.delete(account.id);
            this.#parts.log.info('the keychain can be read again', { accountId: account.id });
            const kind = this.#kinds.get(account.id);
            if (kind && this.#live.has(account.id)) void this.restart(account, kind);
          },
          () => {
            if (this.#waitingForKeychain.get(account.id)?.timer === timer) look(Math.min(delayMs * 2, KEYCHAIN_LOOK_MAX_MS));
          },
        );
      }, delayMs);
      timer.unref();
      this.#waitingForKeychain.set(account.id, { timer, delayMs });
    };
    look(this.#parts.keychainLookMs ?? KEYCHAIN_LOOK_FIRST_MS);
  }

  #stopWaitingForKeychain(accountId: string): void {
    clearTimeout(this.#waitingForKeychain.get(accountId)?.timer);
    this.#waitingForKeychain.delete(accountId);
  }

  private contextFor(account: Account): ConnectorContext {
    const { store, secrets, events, searchIndexing, signInPasswords } = this.#parts;
    const alive = () => !this.#disposed;
    const itemId = (externalId: string) => `${account.id}:${externalId}`;
    const toStored = (item: ConnectorItem): NewItem & { body?: StoredBody } =>
      storedItem(item, { id: itemId(item.externalId), accountId: account.id, source: account.source });
    return {
      account,
      log: this.#parts.log.child(`${account.kind}.${account.id.slice(0, 8)}`),
      readSecret: (name) => this.readSecret(account, name),
      writeSecret: (secret) => secrets.setPassword(account.id, secret),
      takeSignInPassword: () => signInPasswords.take(account.id),
      dataDir: this.accountDataDir(account.id),
      readCursor: <T>(key: string) => this.read(account, () => store.readCursor<T>(account.id, key)),
      writeCursor: (key, value) => this.write(account, () => store.writeCursor(account.id, key, value)),
      knownExternalIds: (scope) => this.read(account, () => store.knownExternalIds(account.id, scope)),
      knownReadState: (scope) => this.read(account, () => store.knownReadState(account.id, scope)),
      knownItems: (scope, among) => this.read(account, () => store.knownItems(account.id, scope, among)),
      status: (state) => {
        if (alive()) this.setStatus(account.id, state);
      },
      activity: (activity) => {
        if (!alive()) return;
        this.#activities.set(account.id, activity);
        events.emit('account.status', { accountId: account.id, connection: this.status(account.id), activity });
      },
      updateSettings: (settings) => {
        if (alive()) this.#parts.saveSettings(account.id, settings);
      },
      upsert: (reported, cursor) => {
        if (reported.length === 0 || !alive()) return;
        const { items, pending } = this.read(account, () => this.#parts.attention.decide(account, reported));
        const facts = items.flatMap((i) => (i.facts ? [{ externalId: i.externalId, ...i.facts }] : []));
        // The items, their decisions, their server facts and the cursor that says they are stored, in
        // one commit (each index page goes to the WAL once); notifications once all of it is stored.
        let toRaise: ReturnType<AttentionBook['record']> | undefined;
        const { changed, triaged } = this.write(account, () =>
          store.transaction(() => {
            const written = store.upsertItems(items.map(toStored)) > 0;
            toRaise = this.#parts.attention.record(pending);
            const factsChanged = facts.length > 0 && store.triage.applyFacts(account.id, facts).length > 0;
            if (cursor) store.writeCursor(account.id, cursor.key, cursor.value);
            return { changed: written, triaged: factsChanged };
          }),
        );
        if (toRaise) this.#parts.attention.raise(toRaise);
        if (changed || triaged) events.itemsChanged(account.id);
        if (changed) searchIndexing.schedule();
      },
      triageFacts: (facts) => {
        if (facts.length > 0 && alive() && this.write(account, () => store.triage.applyFacts(account.id, facts)).length > 0) events.itemsChanged(account.id);
      },
      setUnread: (reported) => {
        if (reported.length === 0 || !alive()) return;
        const changes = this.read(account, () => this.#parts.attention.holdRead(account, reported));
        if (this.write(account, () => store.setUnreadByExternalId(account.id, changes)) > 0) events.itemsChanged(account.id);
      },
      remove: (externalIds) => {
        if (externalIds.length === 0 || !alive()) return;
        if (this.write(account, () => store.removeItems(account.id, externalIds)) > 0) events.itemsChanged(account.id);
      },
      clearScope: (scope) => {
        if (alive() && this.write(account, () => store.clearScope(account.id, scope)) > 0) events.itemsChanged(account.id);
      },
      chatChanged: (externalIds) => {
        if (alive()) events.timelinesChanged(externalIds.map(itemId));
      },
      securityChanged: () => {
        if (alive()) events.emit('security.changed', { accountId: account.id });
      },
    };
  }
}
