/**
 * The composition root: it wires parts that have one job each — accounts, connector supervision,
 * items and read state, search indexing, preferences, events — and answers the contract with them.
 * Electron's hub process, the `serve` WebSocket and the in-process CLI all call `call()`.
 * No part here names a source kind: kinds are plug-ins found in the registry (kinds.ts).
 */
import type { CallName, CallParams, CallResult, HubCalls, OpmlImportResult, ProfileNotice } from '../../src-shared/api.ts';
import type { Account } from '../../src-shared/domain.ts';
import { fail, ok } from '../../src-shared/result.ts';
import { InputError } from '../common/input.ts';
import { createLogger, fileSink } from '../common/logger.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector } from '../connectors/connector.ts';
import type { AnyConnectorKind } from '../connectors/kind.ts';
import { createKeychainSecretStore } from '../secrets/secret-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { InboxStore } from '../store/inbox-store.ts';
import type { StoreRecovery } from '../store/recovery.ts';
import { AccountBook } from './accounts.ts';
import { BrowserSignIns } from './browser-sign-ins.ts';
import { AttentionBook } from './attention/attention-book.ts';
import { ChatCalls } from './chat-calls.ts';
import { describe, NotFoundError, toFailure, UnsupportedError } from './errors.ts';
import { HubEventBus } from './events.ts';
import type { HubListener } from './events.ts';
import { ItemBook } from './items.ts';
import { MailCalls } from './mail-calls.ts';
import { MailOutbox } from './mail-outbox.ts';
import { Outbox } from './outbox.ts';
import { defaultKinds, KindRegistry } from './kinds.ts';
import { PreferenceBook } from './preferences.ts';
import { acquireProfileLock, profilePaths } from './profile.ts';
import type { ProfileLock } from './profile.ts';
import { SearchIndexing } from './search-indexing.ts';
import { SecurityCalls } from './security-calls.ts';
import { SignInCalls } from './sign-in-calls.ts';
import { SignInPasswords } from './sign-in-passwords.ts';
import { ConnectorSupervision } from './supervision.ts';
import { TriageBook } from './triage.ts';
import { parseAttachmentIndex, parseId, parseIds, parseInboxFilter, parseInboxQuery, parseOpmlText, parsePassword, parseSearchQuery } from './validate.ts';

export interface HubOptions {
  profileDir: string;
  secrets?: SecretStore;
  /** The account kinds this hub runs; the built-in three unless given (tests add their own). */
  kinds?: readonly AnyConnectorKind[];
  log?: Logger;
  /** false: rows are indexed for search by the next search or the next long-running hub, not by this one (the CLI). */
  searchIndexInBackground?: boolean;
  /** More than this many notifications from one account in a minute become a summary (the bench raises it). */
  floodLimit?: number;
  /** The mail outbox's first retry delay (tests shorten it). */
  mailRetryMs?: number;
}

type Handlers = { [C in CallName]: (params: unknown) => Promise<HubCalls[C]['result']> | HubCalls[C]['result'] };

export class Hub {
  readonly profileDir: string;
  readonly log: Logger;
  readonly #lock: ProfileLock;
  readonly #store: InboxStore;
  readonly #events: HubEventBus;
  readonly #kinds: KindRegistry;
  readonly #searchIndexing: SearchIndexing;
  readonly #signInPasswords = new SignInPasswords();
  readonly #signIns: BrowserSignIns;
  readonly #signInCalls: SignInCalls;
  readonly #supervision: ConnectorSupervision;
  readonly #accounts: AccountBook;
  readonly #items: ItemBook;
  readonly #outbox: Outbox;
  readonly #triage: TriageBook;
  readonly #preferences: PreferenceBook;
  readonly #chat: ChatCalls;
  readonly #security: SecurityCalls;
  readonly #mailOutbox: MailOutbox;
  readonly #mail: MailCalls;
  readonly #attention: AttentionBook;
  /** What opening the profile found that the user must be told (see `profile.notices`). */
  readonly notices: readonly ProfileNotice[];
  #disposed = false;

  private constructor(options: HubOptions, lock: ProfileLock, store: InboxStore, log: Logger) {
    this.profileDir = options.profileDir;
    this.log = log;
    this.#lock = lock;
    this.#store = store;
    const secrets = options.secrets ?? createKeychainSecretStore();
    this.#events = new HubEventBus(log);
    this.#kinds = new KindRegistry(options.kinds ?? defaultKinds());
    this.#searchIndexing = new SearchIndexing(store, log, { background: options.searchIndexInBackground ?? true });
    this.#supervision = new ConnectorSupervision({
      store,
      secrets,
      events: this.#events,
      searchIndexing: this.#searchIndexing,
      signInPasswords: this.#signInPasswords,
      log,
      accountsDir: profilePaths(options.profileDir).accounts,
      saveSettings: (accountId, settings) => this.#accounts.saveSettings(accountId, settings),
      attention: {
        decide: (account, items) => this.#attention.decide(account, items),
        record: (pending) => this.#attention.record(pending),
        raise: (toRaise) => this.#attention.raise(toRaise),
        holdRead: (account, changes) => this.#attention.holdRead(account, changes),
      },
      online: (accountId) => {
        void this.#outbox.send([accountId]).catch((error: unknown) => this.log.warn('could not send the outbox', { accountId, error }));
        void this.#mailOutbox.send([accountId]).catch((error: unknown) => this.log.warn('could not send the mail outbox', { accountId, error }));
      },
    });
    this.#signIns = new BrowserSignIns(log);
    this.#accounts = new AccountBook({ store, secrets, kinds: this.#kinds, supervision: this.#supervision, events: this.#events, signInPasswords: this.#signInPasswords, signIns: this.#signIns, log });
    this.#items = new ItemBook(store, this.#accounts, this.#supervision, log, () => this.#preferences.get().remoteImagesFrom);
    this.#outbox = new Outbox(store, this.#accounts, this.#supervision, this.#events, log);
    this.#triage = new TriageBook(store, this.#accounts, this.#outbox, this.#events, log, (items) => this.#attention.woke(items));
    this.#mailOutbox = new MailOutbox(store, this.#accounts, this.#supervision, this.#events, log, options.mailRetryMs);
    this.#mail = new MailCalls(store, this.#accounts, this.#supervision, this.#mailOutbox, log);
    this.#preferences = new PreferenceBook(store, (preferences) => this.#events.emit('preferences.changed', preferences));
    this.#signInCalls = new SignInCalls({ kinds: this.#kinds, accounts: this.#accounts, signIns: this.#signIns, preferences: () => this.#preferences.get() });
    this.#attention = new AttentionBook({
      store,
      events: this.#events,
      preferences: () => this.#preferences.get(),
      accounts: this.#accounts,
      changeAccount: async (accountId, changes) => {
        await this.#accounts.update({ accountId, changes });
      },
      log,
      ...(options.floodLimit !== undefined ? { floodLimit: options.floodLimit } : {}),
    });
    this.#chat = new ChatCalls(
      store,
      { find: (id) => this.#accounts.find(id)?.account, withChat: () => this.#withCapability('chat').map((d) => d.account) },
      (account, run) =>
        this.#withConnector(account.id, (connector) => {
          if (!connector.chat) throw new UnsupportedError(`${account.displayName} is not a chat account.`);
          return run(connector.chat);
        }),
    );
    this.#security = new SecurityCalls((accountId, run) =>
      this.#withConnector(accountId, (connector, account) => {
        if (!connector.encryption) throw new UnsupportedError(`${account.displayName} has no end-to-end encryption.`);
        return run(connector.encryption, account);
      }),
    );
    this.notices = store.recovery ? [this.#recovered(store.recovery)] : [];
    // Rows the last run stored but did not index yet.
    this.#searchIndexing.schedule();
    this.#attention.start();
    this.#triage.start();
  }

  /** Takes the profile lock and opens the store; throws ProfileLockedError if another hub runs. */
  static open(options: HubOptions): Hub {
    const lock = acquireProfileLock(options.profileDir);
    try {
      const paths = profilePaths(options.profileDir);
      const log = options.log ?? createLogger(fileSink(paths.log), { level: process.env['GROUNDSWELL_LOG_LEVEL'] === 'debug' ? 'debug' : 'info' });
      return new Hub(options, lock, InboxStore.open(paths.database), log);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  get lockHandle(): ProfileLock {
    return this.#lock;
  }

  /** Starts a live connector for every account: connect, catch up, then follow changes. */
  startConnectors(): void {
    this.#accounts.startAll();
    void this.#outbox.send().catch((error: unknown) => this.log.warn('could not send the outbox', { error }));
    void this.#mailOutbox.send().catch((error: unknown) => this.log.warn('could not send the mail outbox', { error }));
  }

  on(listener: HubListener): () => void {
    return this.#events.on(listener);
  }

  async call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
    if (this.#disposed) return fail('internal', 'Groundswell is shutting down.') as CallResult<C>;
    const handler = this.#handlers[name] as (params: unknown) => Promise<HubCalls[C]['result']> | HubCalls[C]['result'];
    try {
      return ok(await handler(params)) as CallResult<C>;
    } catch (error) {
      return toFailure(name, error, this.log, profilePaths(this.profileDir).log) as CallResult<C>;
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#outbox.dispose();
    await this.#mailOutbox.dispose();
    this.#signIns.dispose();
    this.#searchIndexing.dispose();
    this.#triage.dispose();
    this.#attention.dispose();
    await this.#supervision.dispose();
    this.#events.dispose();
    this.#signInPasswords.clear();
    this.#store.close();
    this.#lock.release();
  }

  readonly #handlers: Handlers = {
    'kinds.list': () => this.#kinds.describe(),
    'accounts.list': () => this.#accounts.views(),
    'accounts.add': (raw) => this.#accounts.add(raw),
    'accounts.update': (raw) => this.#accounts.update(raw),
    'accounts.remove': async (raw) => {
      await this.#accounts.remove(parseId(raw, 'accountId', 'Account'));
      return null;
    },
    'accounts.updatePassword': (raw) => this.#accounts.updatePassword(parseId(raw, 'accountId', 'Account'), parsePassword(raw)),
    'accounts.autoconfig': (raw) => this.#autoconfig(raw),
    'accounts.signInAgain': (raw) => this.#accounts.signInAgain(parseId(raw, 'accountId', 'Account'), parseId(raw, 'signInId', 'Sign-in')),
    'signIn.options': (raw) => this.#signInCalls.options(raw),
    'signIn.start': (raw) => this.#signInCalls.start(raw),
    'signIn.wait': (raw) => this.#signInCalls.wait(raw),
    'signIn.cancel': (raw) => this.#signInCalls.cancel(raw),
    'inbox.list': (raw) => this.#store.listInbox(parseInboxQuery(raw)),
    'inbox.search': (raw) => this.#store.search(parseSearchQuery(raw)),
    'inbox.counts': () => this.#store.unreadCounts(),
    'inbox.total': (raw) => ({ total: this.#store.countInbox(parseInboxFilter(raw)) }),
    'item.get': (raw) => this.#items.detail(parseId(raw, 'itemId', 'Item'), { remoteContent: (raw as { remoteContent?: unknown }).remoteContent === true }),
    'item.attachment': (raw) => this.#items.attachment(parseId(raw, 'itemId', 'Item'), parseAttachmentIndex(raw)),
    'mail.remoteImagesFrom': (raw) => this.#preferences.remoteImagesFrom(raw),
    'item.markRead': async (raw) => {
      await this.#triage.triage({ itemIds: parseIds(raw), action: 'read' });
      return null;
    },
    'item.markUnread': async (raw) => {
      await this.#triage.triage({ itemIds: parseIds(raw), action: 'unread' });
      return null;
    },
    'items.triage': (raw) => this.#triage.triage(raw),
    'items.markAllRead': (raw) => this.#triage.markAllRead(raw),
    'items.undo': () => this.#triage.undo(),
    'sync.once': (raw) => this.#syncOnce(raw),
    'feeds.importOpml': (raw) => this.#importOpml(parseOpmlText(raw)),
    'feeds.exportOpml': () => this.#exportOpml(),
    'chat.timeline': (raw) => this.#chat.timeline(raw),
    'chat.send': (raw) => this.#chat.send(raw),
    'chat.retry': (raw) => this.#chat.retry(raw),
    'chat.respondToInvite': (raw) => this.#chat.respondToInvite(raw),
    'chat.media': (raw) => this.#chat.media(raw),
    'chat.typing': (raw) => this.#chat.typing(raw),
    'security.status': (raw) => this.#security.status(raw),
    'security.setUpCrossSigning': (raw) => this.#security.setUpCrossSigning(raw),
    'security.verifyDevice': (raw) => this.#security.verifyDevice(raw),
    'security.respondToVerification': (raw) => this.#security.respondToVerification(raw),
    'security.setUpBackup': (raw) => this.#security.setUpBackup(raw),
    'security.restoreBackup': (raw) => this.#security.restoreBackup(raw),
    'security.resetBackup': (raw) => this.#security.resetBackup(raw),
    'mail.prepare': (raw) => this.#mail.prepare(raw),
    'mail.send': (raw) => this.#mail.send(raw),
    'mail.saveDraft': (raw) => this.#mail.saveDraft(raw),
    'mail.closeDraft': (raw) => this.#mail.closeDraft(raw),
    'mail.drafts': (raw) => this.#mail.drafts(raw),
    'mail.outbox': () => this.#mail.outbox(),
    'mail.retry': (raw) => this.#mail.retry(raw),
    'mail.markSent': (raw) => this.#mail.markSent(raw),
    'preferences.get': () => this.#preferences.get(),
    'profile.notices': () => [...this.notices],
    'preferences.set': (raw) => this.#preferences.set(raw),
    'rules.list': () => this.#attention.rules.rules(),
    'rules.add': (raw) => this.#attention.rules.add(raw),
    'rules.update': (raw) => this.#attention.rules.update(raw),
    'rules.remove': async (raw) => {
      await this.#attention.rules.remove(raw);
      return null;
    },
    'rules.move': (raw) => this.#attention.rules.move(raw),
    'attention.get': () => this.#attention.settings(),
    'attention.setQuietHours': (raw) => this.#attention.setQuietHours(raw),
    'attention.pause': (raw) => this.#attention.pause(raw),
    'item.why': (raw) => this.#attention.why(raw),
  };

  #withConnector<T>(accountId: string, run: (connector: Connector, account: Account) => Promise<T>): Promise<T> {
    const { account, kind } = this.#accounts.get(accountId);
    return this.#supervision.withConnector(account, kind, (connector) => run(connector, account));
  }

  #withCapability(capability: 'chat' | 'encryption' | 'opml') {
    return this.#accounts.all().filter((d) => d.kind?.capabilities.includes(capability));
  }

  async #syncOnce(raw: unknown): Promise<{ accounts: number }> {
    const accountId = (raw as { accountId?: unknown } | undefined)?.accountId;
    const accounts = this.#accounts.all().filter((d) => accountId === undefined || d.account.id === accountId);
    if (accountId !== undefined && accounts.length === 0) throw new NotFoundError('No account has that id.');
    // Side by side: a feed that hangs until its timeout must not hold up the mail or the other feeds.
    const results = await Promise.allSettled(
      accounts.map(async (d) => {
        if (!d.kind) throw new UnsupportedError(d.problem);
        const kind = d.kind;
        // What waits in the outbox goes first, so the state printed afterwards is the server's.
        await this.#outbox.send([d.account.id]);
        await this.#mailOutbox.send([d.account.id]);
        await this.#supervision.withConnector(d.account, kind, (c) => c.syncOnce());
      }),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ account: accounts[i]!.account, error: r.reason as unknown }] : []));
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
  }

  /** Settings from an email address, by the kind that knows how (IMAP); nothing is saved. */
  async #autoconfig(raw: unknown) {
    const params = (typeof raw === 'object' && raw !== null ? raw : {}) as { email?: unknown; password?: unknown };
    const kind = this.#kinds.all().find((k) => k.capabilities.includes('autoconfig') && k.autoconfig !== undefined);
    if (!kind?.autoconfig) throw new UnsupportedError('This Groundswell has no source that sets itself up from an email address.');
    if (params.password !== undefined && (typeof params.password !== 'string' || params.password.length > 4096)) throw new InputError('The password must be text.', 'password');
    const found = await kind.autoconfig(params.email, params.password === '' ? undefined : (params.password as string | undefined));
    this.log.info('mail autoconfig', { found: found.found, source: found.source ?? 'none', steps: found.steps.map((s) => `${s.source}:${s.outcome}`).join(' ') });
    return found;
  }

  /** The kind that reads OPML (feeds); a hub without one says so instead of guessing. */
  #opmlKind(): AnyConnectorKind & { opml: NonNullable<AnyConnectorKind['opml']> } {
    const kind = this.#kinds.all().find((k) => k.opml !== undefined);
    if (!kind?.opml) throw new UnsupportedError('This Groundswell has no source that reads OPML subscription lists.');
    return kind as AnyConnectorKind & { opml: NonNullable<AnyConnectorKind['opml']> };
  }

  /** Subscribes without fetching each feed first: hundreds of feeds would take minutes; each reports its own errors once polled. */
  async #importOpml(text: string): Promise<OpmlImportResult> {
    const kind = this.#opmlKind();
    const { drafts, skipped } = await kind.opml.read(text);
    const added = this.#accounts.addUnverified(kind, drafts, (draft, reason) => skipped.push({ url: kind.opml.label(draft.settings), reason }));
    this.log.info('OPML imported', { added: added.length, skipped: skipped.length });
    return { added: added.length, skipped };
  }

  async #exportOpml(): Promise<{ opml: string }> {
    const kind = this.#opmlKind();
    const accounts = this.#accounts.all().flatMap((d) => (d.kind === kind ? [d.account] : []));
    return { opml: await kind.opml.write(accounts) };
  }

  /** The database could not be read and was set aside (store/recovery.ts explains what is kept). */
  #recovered(recovery: StoreRecovery): ProfileNotice {
    const { movedTo, accountsRestored, at } = recovery;
    this.log.warn('the database was damaged; it was set aside and a fresh one made', { movedTo, accountsRestored });
    const accounts =
      accountsRestored === 0
        ? 'There was no copy of your accounts beside it (this profile had none yet), so add them again.'
        : `Your ${accountsRestored === 1 ? 'account came back and is' : `${accountsRestored} accounts came back and are`} fetching mail, chats and feeds from their servers again; ` +
          'what only this computer knew (read marks on feed entries, saved message bodies) starts afresh.';
    return {
      kind: 'database-set-aside',
      movedTo,
      at,
      message: `Groundswell's database was damaged, so it was moved to ${movedTo} (kept, not deleted) and a fresh one was made. ${accounts}`,
    };
  }

}

export { InputError };
