/**
 * A complete HubClient that keeps accounts and items in arrays: the renderer's actions are tested
 * against it, with real keyset paging, search, counts and events. Only for tests.
 */
import type {
  CallName,
  ChatMessage,
  ChatTimeline,
  CallParams,
  EncryptionStatus,
  CallResult,
  EventName,
  HubCalls,
  HubClient,
  HubEvents,
  InboxFilter,
  InboxPage,
  UnreadCounts,
  VerificationView,
} from '../../src-shared/api.ts';
import { SOURCE_OF_ACCOUNT, missingCase, type AccountView, type InboxItem, type ItemDetail } from '../../src-shared/domain.ts';
import { fail, ok, type AppError, type Result } from '../../src-shared/result.ts';

type Listener = (payload: never) => void;

function byNewest(a: InboxItem, b: InboxItem): number {
  return b.timestamp - a.timestamp || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export class MemoryHub implements HubClient {
  accounts: AccountView[] = [];
  items: InboxItem[] = [];
  bodies = new Map<string, string>();
  /** The password the "server" accepts per account id; "Sign in again" with any other is refused. */
  passwords = new Map<string, string>();
  /** Matrix users the "homeserver" knows, with their passwords. */
  matrixUsers = new Map<string, string>();
  /** Each chat item's room as the hub holds it: what `chat.timeline` answers. */
  timelines = new Map<string, ChatTimeline>();
  /** History not fetched yet per chat item, the page just before the loaded messages last. */
  olderPages = new Map<string, ChatMessage[][]>();
  /** Who is typing in which room, as the renderer last said. */
  typing = new Map<string, boolean>();
  /** Each Matrix account's encryption as the hub holds it: what `security.status` answers. */
  security = new Map<string, EncryptionStatus>();
  /** The recovery key that opens each account's key backup. */
  recoveryKeys = new Map<string, string>();
  /** What a restore finds in the backup: how many keys it holds and how many of them can be imported. */
  backupKeys = { imported: 38, total: 40 };
  /** Every call made, in order: lets a test count refetches. */
  readonly calls: { name: CallName; params: unknown }[] = [];
  private readonly failures = new Map<CallName, AppError[]>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private nextAccount = 1;
  private nextLocalEcho = 1;
  private nextVerification = 1;
  private nextRecoveryKey = 1;
  /** Calls held back until a test lets them go: `hold('chat.timeline')`, then `release()`. */
  private readonly held = new Map<CallName, (() => void)[]>();
  private readonly holding = new Set<CallName>();

  /** Calls of `name` wait until `release(name)`: for testing what happens while one is in flight. */
  hold(name: CallName): void {
    this.holding.add(name);
  }

  release(name: CallName): void {
    this.holding.delete(name);
    for (const go of this.held.get(name)?.splice(0) ?? []) go();
  }

  /** The next call of `name` answers with this error instead. */
  failNext(name: CallName, error: AppError): void {
    const queue = this.failures.get(name) ?? [];
    queue.push(error);
    this.failures.set(name, queue);
  }

  emit<E extends EventName>(name: E, payload: HubEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as (p: HubEvents[E]) => void)(payload);
  }

  on<E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  countCalls(name: CallName): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  async call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>> {
    this.calls.push({ name, params });
    // Answers arrive later than the call returns, as over any real transport.
    await Promise.resolve();
    if (this.holding.has(name)) {
      await new Promise<void>((go) => {
        const queue = this.held.get(name) ?? [];
        queue.push(go);
        this.held.set(name, queue);
      });
    }
    const forced = this.failures.get(name)?.shift();
    if (forced !== undefined) return { ok: false, error: forced };
    return this.answer(name, params) as CallResult<C>;
  }

  private answer(name: CallName, params: unknown): Result<HubCalls[CallName]['result']> {
    switch (name) {
      case 'accounts.list':
        return ok(this.accounts.map((a) => ({ ...a, unread: this.counts().byAccount[a.account.id] ?? 0, priorityUnread: this.counts().priorityByAccount[a.account.id] ?? 0 })));
      case 'accounts.addImap': {
        const input = params as CallParams<'accounts.addImap'>;
        if (input.host.trim() === '') return fail('invalid-input', 'Enter the server.', 'host');
        const view: AccountView = {
          account: {
            id: `acct-${this.nextAccount++}`,
            kind: 'imap',
            displayName: input.displayName,
            createdAt: 0,
            settings: {
              host: input.host,
              port: input.port,
              security: input.security,
              user: input.user,
              syncWindowDays: input.syncWindowDays ?? 30,
              syncMaxMessages: input.syncMaxMessages ?? 2000,
            },
          },
          status: { state: 'connecting' },
          unread: 0,
          priorityUnread: 0,
        };
        this.accounts.push(view);
        this.passwords.set(view.account.id, input.password);
        return ok(view);
      }
      case 'accounts.addFeed': {
        const input = params as CallParams<'accounts.addFeed'>;
        if (!/^https?:\/\//.test(input.url)) return fail('invalid-input', 'Feed address must start with https:// or http://.', 'url');
        if (input.url.includes('not-a-feed')) {
          return fail('invalid-input', 'This address is a web page that does not link to a feed.', 'url');
        }
        const view = feedAccount(`acct-${this.nextAccount++}`, input.displayName || 'Status feed', input.url);
        view.account.settings = { ...view.account.settings, folder: input.folder ?? '', keywords: input.keywords ?? [], alertLevel: input.alertLevel ?? 'badge' } as typeof view.account.settings;
        this.accounts.push(view);
        return ok(view);
      }
      case 'accounts.updateFeed': {
        const input = params as CallParams<'accounts.updateFeed'>;
        const index = this.accounts.findIndex((a) => a.account.id === input.accountId);
        const current = this.accounts[index];
        if (current === undefined || current.account.kind !== 'feed') return fail('not-found', 'No feed has that id.');
        const { accountId: _id, displayName, ...settings } = input;
        const view: AccountView = {
          ...current,
          account: { ...current.account, displayName: displayName ?? current.account.displayName, settings: { ...current.account.settings, ...settings } },
        };
        this.accounts[index] = view;
        return ok(view);
      }
      case 'feeds.importOpml': {
        const { opml } = params as CallParams<'feeds.importOpml'>;
        const urls = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1]!);
        if (urls.length === 0) return fail('invalid-input', 'This file is not an OPML subscription list.', 'opml');
        for (const url of urls) this.accounts.push(feedAccount(`acct-${this.nextAccount++}`, new URL(url).hostname, url));
        return ok({ added: urls.length, skipped: [] });
      }
      case 'feeds.exportOpml': {
        const outlines = this.accounts.flatMap((a) => (a.account.kind === 'feed' ? [`<outline type="rss" text="${a.account.displayName}" xmlUrl="${a.account.settings.url}"/>`] : []));
        return ok({ opml: `<?xml version="1.0"?><opml version="2.0"><body>${outlines.join('')}</body></opml>` });
      }
      case 'accounts.remove': {
        const { accountId } = params as CallParams<'accounts.remove'>;
        if (!this.accounts.some((a) => a.account.id === accountId)) return fail('not-found', 'No account has that id. It may have been removed already.');
        this.passwords.delete(accountId);
        this.accounts = this.accounts.filter((a) => a.account.id !== accountId);
        this.items = this.items.filter((i) => i.accountId !== accountId);
        return ok(null);
      }
      case 'accounts.updatePassword': {
        const { accountId, password } = params as CallParams<'accounts.updatePassword'>;
        const index = this.accounts.findIndex((a) => a.account.id === accountId);
        const current = this.accounts[index];
        if (current === undefined) return fail('not-found', 'No account has that id. It may have been removed.');
        if (password === '' || this.passwords.get(accountId) !== password) {
          return fail('auth-failed', 'The server refused this password. Check it and try again.', 'password');
        }
        // As the real hub does: the account reconnects with the new password.
        const view: AccountView = {
          ...current,
          status: { state: 'connecting' },
          unread: this.counts().byAccount[accountId] ?? 0,
          priorityUnread: this.counts().priorityByAccount[accountId] ?? 0,
        };
        this.accounts[index] = view;
        return ok(view);
      }
      case 'inbox.list':
        return ok(this.list(params as CallParams<'inbox.list'>));
      case 'inbox.search': {
        const q = params as CallParams<'inbox.search'>;
        const needle = q.text.toLowerCase();
        const items = this.filtered(q).filter((i) => `${i.sender} ${i.title} ${i.snippet}`.toLowerCase().includes(needle));
        return ok({ items: items.slice(0, q.limit ?? 50) });
      }
      case 'inbox.counts':
        return ok(this.counts());
      case 'item.get': {
        const { itemId } = params as CallParams<'item.get'>;
        const item = this.items.find((i) => i.id === itemId);
        if (item === undefined) return fail('not-found', 'This item is gone.');
        const detail: ItemDetail = {
          item: { ...item },
          headers: [
            { name: 'From', value: item.sender },
            { name: 'To', value: 'me@example.com' },
            { name: 'Subject', value: item.title },
          ],
          bodyText: this.bodies.get(itemId) ?? item.snippet,
        };
        return ok(detail);
      }
      case 'item.markRead':
      case 'item.markUnread': {
        const { itemIds } = params as CallParams<'item.markRead'>;
        const unread = name === 'item.markUnread';
        const touched = new Set<string>();
        this.items = this.items.map((i) => {
          if (!itemIds.includes(i.id)) return i;
          touched.add(i.accountId);
          return { ...i, unread };
        });
        if (touched.size > 0) this.emit('inbox.changed', { accountIds: [...touched] });
        return ok(null);
      }
      case 'sync.once':
        return ok({ accounts: this.accounts.length });
      case 'accounts.addMatrix': {
        const input = params as CallParams<'accounts.addMatrix'>;
        const userId = input.userId.startsWith('@') ? input.userId : `@${input.userId}:${new URL(input.homeserverUrl ?? 'https://unknown.invalid').hostname}`;
        const known = this.matrixUsers.get(userId);
        if (known === undefined) return fail('auth-failed', 'The homeserver does not know this user ID.', 'userId');
        if (known !== input.password) return fail('auth-failed', 'The homeserver refused this password. Check it and try again.', 'password');
        const view = matrixAccount(`acct-${this.nextAccount++}`, input.displayName ?? userId, userId, input.homeserverUrl);
        this.accounts.push(view);
        return ok(view);
      }
      case 'chat.timeline': {
        const { itemId, older } = params as CallParams<'chat.timeline'>;
        const timeline = this.timelines.get(itemId);
        if (timeline === undefined) return fail('not-found', 'This room is gone.');
        const pages = this.olderPages.get(itemId) ?? [];
        if (older === true) {
          const page = pages.pop();
          if (page !== undefined) timeline.messages = [...page, ...timeline.messages];
        }
        timeline.hasOlder = pages.length > 0;
        return ok(structuredClone(timeline));
      }
      case 'chat.send': {
        const input = params as CallParams<'chat.send'>;
        const itemId = 'itemId' in input ? input.itemId : undefined;
        const timeline = itemId === undefined ? undefined : this.timelines.get(itemId);
        if (itemId === undefined || timeline === undefined) return fail('not-found', 'This room is gone.');
        if (timeline.membership !== 'join') return fail('invalid-input', 'Join the room before writing in it.');
        const parent = timeline.messages.find((m) => m.id === input.replyToId);
        timeline.messages.push({
          ...chatMessage(`~local-${this.nextLocalEcho++}`, 'Me', input.text, Date.now()),
          senderId: '@me:example.org',
          mine: true,
          sendState: 'sending',
          ...(parent === undefined ? {} : { replyTo: { id: parent.id, senderName: parent.senderName, body: parent.body } }),
        });
        this.emit('chat.changed', { itemIds: [itemId] });
        return ok({ itemId });
      }
      case 'chat.retry': {
        const { itemId, messageId } = params as CallParams<'chat.retry'>;
        const message = this.timelines.get(itemId)?.messages.find((m) => m.id === messageId);
        if (message?.sendState !== 'failed') return fail('not-found', 'This message is not waiting to be sent again.');
        message.sendState = 'sending';
        this.emit('chat.changed', { itemIds: [itemId] });
        return ok(null);
      }
      case 'chat.respondToInvite': {
        const { itemId, accept } = params as CallParams<'chat.respondToInvite'>;
        const timeline = this.timelines.get(itemId);
        const item = this.items.find((i) => i.id === itemId);
        if (timeline === undefined || item === undefined || timeline.membership !== 'invite') return fail('not-found', 'There is no invitation to answer.');
        if (accept) {
          timeline.membership = 'join';
          delete timeline.inviter;
          if (item.origin.kind === 'chat') delete item.origin.membership;
        } else {
          this.timelines.delete(itemId);
          this.items = this.items.filter((i) => i.id !== itemId);
        }
        this.emit('inbox.changed', { accountIds: [item.accountId] });
        return ok(null);
      }
      case 'chat.media': {
        const { mxc, thumbnail } = params as CallParams<'chat.media'>;
        if (!mxc.startsWith('mxc://')) return fail('invalid-input', 'Not a Matrix media address.');
        return ok({ dataUrl: `data:text/plain;base64,${btoa(`${thumbnail ? 'thumbnail' : 'full'} ${mxc}`)}` });
      }
      case 'chat.typing': {
        const { itemId, typing } = params as CallParams<'chat.typing'>;
        this.typing.set(itemId, typing);
        return ok(null);
      }
      case 'security.status': {
        const found = this.encryption((params as CallParams<'security.status'>).accountId);
        return found.ok ? ok(structuredClone(found.value)) : found;
      }
      case 'security.setUpCrossSigning': {
        const { accountId, password } = params as CallParams<'security.setUpCrossSigning'>;
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        const status = found.value;
        if (status.crossSigning !== 'not-set-up') return fail('invalid-input', 'Cross-signing is set up already.');
        if (password === '' || this.passwords.get(accountId) !== password) return fail('auth-failed', 'The homeserver refused this password. Check it and try again.', 'password');
        status.crossSigning = 'ready';
        status.thisDeviceVerified = true;
        for (const device of status.devices) if (device.current) device.verified = true;
        this.emit('security.changed', { accountId });
        return ok(structuredClone(status));
      }
      case 'security.verifyDevice': {
        const { accountId, deviceId } = params as CallParams<'security.verifyDevice'>;
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        const device = found.value.devices.find((d) => d.deviceId === deviceId && !d.current);
        if (device === undefined) return fail('not-found', 'That device is not one of yours any more.');
        const verification: VerificationView = { requestId: `txn-${this.nextVerification++}`, incoming: false, otherUserId: '@me:example.org', otherDeviceId: deviceId, phase: 'requested' };
        found.value.verifications.push(verification);
        this.emit('security.changed', { accountId });
        return ok(structuredClone(verification));
      }
      case 'security.respondToVerification': {
        const { accountId, requestId, action } = params as CallParams<'security.respondToVerification'>;
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        const v = found.value.verifications.find((x) => x.requestId === requestId);
        if (v === undefined) return fail('not-found', 'That verification is over or was never started here. Start it again from one of your devices.');
        switch (action) {
          case 'accept':
            if (v.phase !== 'requested' || !v.incoming) return fail('invalid-input', 'There is no request to accept: it was accepted, cancelled or started here.');
            v.phase = 'ready';
            break;
          case 'start':
            if (v.phase !== 'ready') return fail('invalid-input', 'Both devices must have accepted before the emoji comparison can start.');
            v.phase = 'compare-emoji';
            v.emoji = SAS_EMOJI.map((e) => ({ ...e }));
            break;
          case 'confirm': {
            if (v.phase !== 'compare-emoji') return fail('invalid-input', 'There are no emoji to confirm yet.');
            // Like the real hub: done only once the other device confirmed too (a test says when, with `finishVerification`).
            break;
          }
          case 'mismatch':
            if (v.phase !== 'compare-emoji') return fail('invalid-input', 'There are no emoji to compare yet.');
            v.phase = 'cancelled';
            delete v.emoji;
            v.reason = 'The emoji did not match. Nothing was verified; if you did not cause this, someone may be interfering.';
            break;
          case 'cancel':
            if (v.phase !== 'done' && v.phase !== 'cancelled') {
              v.phase = 'cancelled';
              delete v.emoji;
              v.reason = 'Cancelled.';
            }
            break;
          default:
            return missingCase(action);
        }
        this.emit('security.changed', { accountId });
        return ok(structuredClone(v));
      }
      case 'security.setUpBackup': {
        const { accountId } = params as CallParams<'security.setUpBackup'>;
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        if (found.value.backup.state !== 'off') return fail('invalid-input', 'There is a backup already.');
        const recoveryKey = this.newRecoveryKey(accountId);
        found.value.backup = { state: 'on', version: '1' };
        this.emit('security.changed', { accountId });
        return ok({ recoveryKey, status: structuredClone(found.value) });
      }
      case 'security.restoreBackup': {
        const { accountId, recoveryKey } = params as CallParams<'security.restoreBackup'>;
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        if (found.value.backup.state === 'off') return fail('not-found', 'There is no key backup on the server.');
        if (recoveryKey.replace(/\s+/g, '') !== this.recoveryKeys.get(accountId)?.replace(/\s+/g, '')) {
          return fail('invalid-input', 'This recovery key does not open the backup. Check it and try again.', 'recoveryKey');
        }
        found.value.backup = { state: 'on', ...(found.value.backup.version !== undefined ? { version: found.value.backup.version } : {}) };
        this.emit('security.changed', { accountId });
        return ok({ ...this.backupKeys, status: structuredClone(found.value) });
      }
      case 'security.resetBackup': {
        const { accountId, confirm } = params as CallParams<'security.resetBackup'>;
        if (!confirm) return fail('invalid-input', 'Resetting deletes the backup: messages only it could open stay unreadable on new devices. Confirm to go on.', 'confirm');
        const found = this.encryption(accountId);
        if (!found.ok) return found;
        const recoveryKey = this.newRecoveryKey(accountId);
        found.value.backup = { state: 'on', version: String(Number(found.value.backup.version ?? '0') + 1) };
        this.emit('security.changed', { accountId });
        return ok({ recoveryKey, status: structuredClone(found.value) });
      }
      default:
        return missingCase(name);
    }
  }

  /** The other device confirmed the emoji too: the verification is done and that device verified. */
  finishVerification(accountId: string, requestId: string): void {
    const status = this.security.get(accountId);
    const v = status?.verifications.find((x) => x.requestId === requestId);
    if (status === undefined || v === undefined) return;
    v.phase = 'done';
    delete v.emoji;
    for (const device of status.devices) if (device.deviceId === v.otherDeviceId) device.verified = true;
    this.emit('security.changed', { accountId });
  }

  private encryption(accountId: string): Result<EncryptionStatus> {
    const status = this.security.get(accountId);
    if (status !== undefined) return ok(status);
    return this.accounts.some((a) => a.account.id === accountId)
      ? fail('unsupported', 'This account has no end-to-end encryption.')
      : fail('not-found', 'No account has that id. It may have been removed.');
  }

  private newRecoveryKey(accountId: string): string {
    const key = `EsTc 1234 5678 ABCD EFGH ${String(this.nextRecoveryKey++).padStart(4, '0')}`;
    this.recoveryKeys.set(accountId, key);
    return key;
  }

  private filtered(filter: InboxFilter): InboxItem[] {
    return this.items
      .filter((i) => (filter.source === undefined || i.source === filter.source) && (filter.accountId === undefined || i.accountId === filter.accountId) && (!filter.unreadOnly || i.unread))
      .sort(byNewest);
  }

  private list(query: CallParams<'inbox.list'>): InboxPage {
    let rows = this.filtered(query);
    if (query.after !== undefined) {
      const [ts, ...rest] = query.after.split(':');
      const cursor = { timestamp: Number(ts), id: rest.join(':') } as InboxItem;
      rows = rows.filter((r) => byNewest(cursor, r) < 0);
    }
    const limit = query.limit ?? 50;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return rows.length > limit && last !== undefined ? { items: page, next: `${last.timestamp}:${last.id}` } : { items: page };
  }

  counts(): UnreadCounts {
    const counts: UnreadCounts = { all: 0, bySource: { mail: 0, chat: 0, feed: 0 }, byAccount: {}, priority: 0, priorityByAccount: {} };
    for (const a of this.accounts) counts.byAccount[a.account.id] = 0;
    for (const i of this.items) {
      if (!i.unread) continue;
      counts.all++;
      counts.bySource[i.source]++;
      counts.byAccount[i.accountId] = (counts.byAccount[i.accountId] ?? 0) + 1;
      if (!i.priority) continue;
      counts.priority++;
      counts.priorityByAccount[i.accountId] = (counts.priorityByAccount[i.accountId] ?? 0) + 1;
    }
    return counts;
  }
}

/** An IMAP account view for tests. */
export function imapAccount(id: string, displayName: string): AccountView {
  return {
    account: {
      id,
      kind: 'imap',
      displayName,
      createdAt: 0,
      settings: { host: 'imap.example.com', port: 993, security: 'tls', user: 'me', syncWindowDays: 30, syncMaxMessages: 2000 },
    },
    status: { state: 'online', since: 0 },
    unread: 0,
    priorityUnread: 0,
  };
}

/** A feed account view for tests. */
export function feedAccount(id: string, displayName: string, url = 'https://status.example.com/feed.xml', folder = ''): AccountView {
  return {
    account: {
      id,
      kind: 'feed',
      displayName,
      createdAt: 0,
      settings: { url, intervalSeconds: 600, folder, alertLevel: 'badge', keywords: [], auth: 'none' },
    },
    status: { state: 'online', since: 0 },
    unread: 0,
    priorityUnread: 0,
  };
}

/** The triage fields of an item nobody has triaged. */
const UNTRIAGED_ITEM = { done: false, starred: false, snoozedUntil: null, snoozeEnded: null, pending: false } as const;

/** `count` mail items for an account, newest first from `newest`, one minute apart. */
export function mailItems(accountId: string, count: number, newest = Date.UTC(2025, 2, 3, 12), unread = (i: number) => i % 3 === 0): InboxItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${accountId}:${i}`,
    accountId,
    source: SOURCE_OF_ACCOUNT.imap,
    conversationKey: `${accountId}:thread-${i}`,
    sender: `Sender ${i}`,
    title: `Subject ${i}`,
    snippet: `Body of message ${i}`,
    timestamp: newest - i * 60_000,
    unread: unread(i),
    priority: i % 10 === 0,
    origin: { kind: 'mail' as const, mailbox: 'INBOX', uidValidity: 1, uid: count - i },
    ...UNTRIAGED_ITEM,
  }));
}

/** A Matrix account view for tests. */
export function matrixAccount(id: string, displayName: string, userId = '@me:example.org', homeserverUrl = 'https://matrix.example.org'): AccountView {
  return {
    account: { id, kind: 'matrix', displayName, createdAt: 0, settings: { userId, homeserverUrl } },
    status: { state: 'online', since: 0 },
    unread: 0,
    priorityUnread: 0,
  };
}

/** The seven emoji both screens show during an emoji comparison, as matrix-js-sdk names them. */
export const SAS_EMOJI: readonly { symbol: string; name: string }[] = [
  { symbol: '🐶', name: 'dog' },
  { symbol: '🔑', name: 'key' },
  { symbol: '🎸', name: 'guitar' },
  { symbol: '🚀', name: 'rocket' },
  { symbol: '🌵', name: 'cactus' },
  { symbol: '☂️', name: 'umbrella' },
  { symbol: '🍕', name: 'pizza' },
];

/**
 * A Matrix account's encryption for tests: this device GSWELL01 unverified, cross-signing not set up,
 * one other device (a phone, unverified), no backup, no verifications.
 */
export function encryptionStatus(accountId: string, overrides: Partial<EncryptionStatus> = {}): EncryptionStatus {
  return {
    accountId,
    deviceId: 'GSWELL01',
    fingerprint: 'K2vQp0Xn3hT9sW1eR7uY5iO8aD4fG6jL2zC0bN1mV3k',
    crossSigning: 'not-set-up',
    thisDeviceVerified: false,
    devices: [
      { deviceId: 'GSWELL01', displayName: 'Groundswell on desk', verified: false, current: true },
      { deviceId: 'PHONE42', displayName: 'Element on phone', verified: false, current: false },
    ],
    backup: { state: 'off' },
    verifications: [],
    ...overrides,
  };
}

/** A plain text message from someone else. */
export function chatMessage(id: string, senderName: string, body: string, timestamp: number): ChatMessage {
  return {
    id,
    senderId: `@${senderName.toLowerCase()}:example.org`,
    senderName,
    mine: false,
    timestamp,
    kind: 'text',
    body,
    edited: false,
    reactions: [],
  };
}

/**
 * A room for tests: its inbox item and its timeline, `count` messages a minute apart ending at `newest`,
 * of which the last `loaded` are in the timeline and the rest wait as older pages of `loaded`.
 */
export function chatRoom(
  accountId: string,
  roomName: string,
  options: { count?: number; loaded?: number; newest?: number; membership?: 'join' | 'invite'; encrypted?: boolean } = {},
): { item: InboxItem; timeline: ChatTimeline; olderPages: ChatMessage[][] } {
  const { count = 5, newest = Date.UTC(2025, 2, 3, 12), membership = 'join', encrypted = false } = options;
  const loaded = options.loaded ?? count;
  const roomId = `!${roomName.toLowerCase().replace(/\W+/g, '')}:example.org`;
  const all = Array.from({ length: count }, (_, i) => chatMessage(`$${roomName}-${i}`, i % 2 === 0 ? 'Alice' : 'Bob', `${roomName} message ${i}`, newest - (count - 1 - i) * 60_000));
  const olderPages: ChatMessage[][] = [];
  for (let end = count - loaded; end > 0; end -= loaded) olderPages.unshift(all.slice(Math.max(0, end - loaded), end));
  const last = all[all.length - 1];
  const item: InboxItem = {
    id: `${accountId}:${roomId}`,
    accountId,
    source: SOURCE_OF_ACCOUNT.matrix,
    conversationKey: roomId,
    sender: membership === 'invite' ? 'Alice' : (last?.senderName ?? ''),
    title: roomName,
    snippet: membership === 'invite' ? 'Alice invited you' : (last?.body ?? ''),
    timestamp: last?.timestamp ?? newest,
    unread: true,
    priority: false,
    origin: { kind: 'chat', roomId, eventId: last?.id ?? '$none', unreadCount: 2, encrypted, ...(membership === 'invite' ? { membership } : {}) },
    ...UNTRIAGED_ITEM,
  };
  const timeline: ChatTimeline = {
    itemId: item.id,
    roomId,
    roomName,
    encrypted,
    membership,
    ...(membership === 'invite' ? { inviter: 'Alice' } : {}),
    messages: membership === 'invite' ? [] : all.slice(count - loaded),
    hasOlder: membership !== 'invite' && loaded < count,
    typing: [],
  };
  return { item, timeline, olderPages: membership === 'invite' ? [] : olderPages };
}
