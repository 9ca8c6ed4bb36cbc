/**
 * The one contract between the renderer (or CLI) and the hub. Electron IPC and the `serve`
 * WebSocket both carry exactly these calls and events; renaming one breaks the build on both sides.
 */
import type {
  AccountView,
  AccountStatus,
  FeedAlertLevel,
  ImapSecurity,
  InboxItem,
  ItemDetail,
  SourceKind,
} from './domain.ts';
import type { Result } from './result.ts';

export interface ImapAccountInput {
  displayName: string;
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  password: string;
  syncWindowDays?: number;
  syncMaxMessages?: number;
}

/** Credentials for an internal feed; stored in the keychain, never in the profile. */
export type FeedCredentials = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface FeedAccountInput {
  /** The feed's address, or a web page that links to its feed. */
  url: string;
  /** Empty: the feed's own title. */
  displayName?: string;
  intervalSeconds?: number;
  folder?: string;
  alertLevel?: FeedAlertLevel;
  keywords?: string[];
  credentials?: FeedCredentials;
}

export interface FeedSettingsInput {
  accountId: string;
  displayName?: string;
  intervalSeconds?: number;
  folder?: string;
  alertLevel?: FeedAlertLevel;
  keywords?: string[];
}

export interface OpmlImportResult {
  added: number;
  /** Feeds not added, each with the reason (already subscribed, not a valid address). */
  skipped: { url: string; reason: string }[];
}

/** A new item the user asked to be told about (a feed at alert level "notify", new mail). */
export interface NewItemNotice {
  itemId: string;
  accountName: string;
  title: string;
  snippet: string;
}

export interface InboxFilter {
  source?: SourceKind;
  accountId?: string;
  unreadOnly?: boolean;
}

/** Keyset cursor: the last row of the previous page. Opaque to callers. */
export type PageCursor = string;

export interface InboxQuery extends InboxFilter {
  limit?: number;
  after?: PageCursor;
}

export interface SearchQuery extends InboxFilter {
  text: string;
  limit?: number;
}

export interface InboxPage {
  items: InboxItem[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: PageCursor;
}

export interface UnreadCounts {
  all: number;
  bySource: Record<SourceKind, number>;
  byAccount: Record<string, number>;
  /** Unread priority items, counted apart from the plain unread ones. */
  priority: number;
  priorityByAccount: Record<string, number>;
}

/** Every call: its parameters and what a successful result carries. */
export interface HubCalls {
  'accounts.list': { params: Record<string, never>; result: AccountView[] };
  'accounts.addImap': { params: ImapAccountInput; result: AccountView };
  /** Fetches the feed first (following a page's autodiscovery link) and saves it only if it parses. */
  'accounts.addFeed': { params: FeedAccountInput; result: AccountView };
  'accounts.updateFeed': { params: FeedSettingsInput; result: AccountView };
  'accounts.remove': { params: { accountId: string }; result: null };
  /** "Sign in again": checks the new password (or feed token) with the server, stores it and reconnects. */
  'accounts.updatePassword': { params: { accountId: string; password: string }; result: AccountView };
  'inbox.list': { params: InboxQuery; result: InboxPage };
  'inbox.search': { params: SearchQuery; result: InboxPage };
  'inbox.counts': { params: Record<string, never>; result: UnreadCounts };
  'item.get': { params: { itemId: string }; result: ItemDetail };
  'item.markRead': { params: { itemIds: string[] }; result: null };
  'item.markUnread': { params: { itemIds: string[] }; result: null };
  'sync.once': { params: { accountId?: string }; result: { accounts: number } };
  /** Subscribes to every feed in an OPML document; folders become sidebar groups. */
  'feeds.importOpml': { params: { opml: string }; result: OpmlImportResult };
  'feeds.exportOpml': { params: Record<string, never>; result: { opml: string } };
}

/** Everything the hub pushes without being asked. */
export interface HubEvents {
  /** Items were added, changed or removed; clients refetch what they show. */
  'inbox.changed': { accountIds: string[] };
  'account.status': AccountStatus;
  'accounts.changed': Record<string, never>;
  /** New items that should raise a desktop notification. */
  'inbox.notify': { items: NewItemNotice[] };
}

export type CallName = keyof HubCalls;
export type CallParams<C extends CallName> = HubCalls[C]['params'];
export type CallResult<C extends CallName> = Result<HubCalls[C]['result']>;
export type EventName = keyof HubEvents;

export const CALL_NAMES: readonly CallName[] = [
  'accounts.list',
  'accounts.addImap',
  'accounts.addFeed',
  'accounts.updateFeed',
  'accounts.remove',
  'accounts.updatePassword',
  'inbox.list',
  'inbox.search',
  'inbox.counts',
  'item.get',
  'item.markRead',
  'item.markUnread',
  'sync.once',
  'feeds.importOpml',
  'feeds.exportOpml',
];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALL_NAMES as readonly string[]).includes(name);
}

/** What any transport offers: the renderer and the CLI program against this, never a socket. */
export interface HubClient {
  call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>>;
  on<E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void): () => void;
}

/** WebSocket and IPC frames. */
export type ClientFrame = { id: number; call: CallName; params: unknown };
export type ServerFrame =
  | { id: number; result: Result<unknown> }
  | { event: EventName; payload: unknown };

/** Electron preload channel names; the preload refuses any other. */
export const IPC_CALL_CHANNEL = 'groundswell:call';
export const IPC_EVENT_CHANNEL = 'groundswell:event';
