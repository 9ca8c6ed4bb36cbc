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
import type { SecretStore } from '../secrets/secret-store.ts';
import type { InboxStore, NewItem, StoredBody } from '../store/inbox-store.ts';
import { describe } from './errors.ts';
import type { HubEventBus } from './events.ts';
import type { SearchIndexing } from './search-indexing.ts';
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
  /** A connector's new items, before they are stored: the hub notices which to notify about. */
  notify(account: Account, externalIds: string[]): void;
  /** The account reached its server (again): actions waiting in the outbox can go. */
  online?(accountId: string): void;
}

export class ConnectorSupervision {
  readonly #parts: SupervisionParts;
  readonly #live = new Map<string, Promise<Connector>>();
  readonly #statuses = new Map<string, ConnectionState>();
  readonly #activities = new Map<string, PollActivity>();
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

  private contextFor(account: Account): ConnectorContext {
    const { store, secrets, events, searchIndexing, signInPasswords } = this.#parts;
    const alive = () => !this.#disposed;
    const itemId = (externalId: string) => `${account.id}:${externalId}`;
    const toStored = ({ detail, facts: _facts, ...item }: ConnectorItem): NewItem & { body?: StoredBody } => ({
      ...item,
      id: itemId(item.externalId),
      accountId: account.id,
      source: account.source,
      ...(detail ? { body: { ...detail, fetchedAt: Date.now() } } : {}),
    });
    return {
      account,
      log: this.#parts.log.child(`${account.kind}.${account.id.slice(0, 8)}`),
      readSecret: async () => {
        const secret = await secrets.getPassword(account.id);
        if (secret === null) {
          throw new ConnectorError('auth-failed', 'The password for this account is missing from the system keychain. Remove the account and add it again.');
        }
        return secret;
      },
      writeSecret: (secret) => secrets.setPassword(account.id, secret),
      takeSignInPassword: () => signInPasswords.take(account.id),
      dataDir: this.accountDataDir(account.id),
      readCursor: <T>(key: string) => store.readCursor<T>(account.id, key),
      writeCursor: (key, value) => store.writeCursor(account.id, key, value),
      knownExternalIds: (scope) => store.knownExternalIds(account.id, scope),
      knownReadState: (scope) => store.knownReadState(account.id, scope),
      knownItems: (scope) => store.knownItems(account.id, scope),
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
      notify: (externalIds) => {
        if (alive()) this.#parts.notify(account, externalIds);
      },
      upsert: (items) => {
        if (items.length === 0 || !alive()) return;
        const changed = store.upsertItems(items.map(toStored)) > 0;
        const facts = items.flatMap((i) => (i.facts ? [{ externalId: i.externalId, ...i.facts }] : []));
        const triaged = facts.length > 0 && store.triage.applyFacts(account.id, facts).length > 0;
        if (changed || triaged) events.itemsChanged(account.id);
        if (changed) searchIndexing.schedule();
      },
      triageFacts: (facts) => {
        if (facts.length > 0 && alive() && store.triage.applyFacts(account.id, facts).length > 0) events.itemsChanged(account.id);
      },
      setUnread: (changes) => {
        if (changes.length === 0 || !alive()) return;
        if (store.setUnreadByExternalId(account.id, changes) > 0) events.itemsChanged(account.id);
      },
      remove: (externalIds) => {
        if (externalIds.length === 0 || !alive()) return;
        if (store.removeItems(account.id, externalIds) > 0) events.itemsChanged(account.id);
      },
      clearScope: (scope) => {
        if (alive() && store.clearScope(account.id, scope) > 0) events.itemsChanged(account.id);
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
