/**
 * The one contract between the renderer (or CLI) and the hub. Electron IPC and the `serve`
 * WebSocket both carry exactly these calls and events; renaming one breaks the build on both sides.
 */
import type { RichNode } from './rich-text.ts';
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

/** A Matrix account: the homeserver is found from the user id unless given. */
export interface MatrixAccountInput {
  /** `@alice:example.org`, or just `alice` together with homeserverUrl. */
  userId: string;
  homeserverUrl?: string;
  /** Used once to log in; Groundswell keeps the access token, not the password. */
  password: string;
  displayName?: string;
}

export type ChatMessageKind = 'text' | 'notice' | 'emote' | 'image' | 'file' | 'encrypted' | 'redacted' | 'membership' | 'other';

/** One message of a room's timeline as the reading pane draws it; every string is plain text. */
export interface ChatMessage {
  /** The event id, or the local id of a message of ours that the server has not confirmed. */
  id: string;
  senderId: string;
  senderName: string;
  mine: boolean;
  timestamp: number;
  kind: ChatMessageKind;
  /** The text (a reply's quoted fallback removed); for other kinds, what to show instead. */
  body: string;
  /** The sanitized formatted body, when the sender sent one. */
  content?: RichNode[];
  /** Edited after sending: body and content are the latest version. */
  edited: boolean;
  replyTo?: { id: string; senderName: string; body: string };
  reactions: { key: string; count: number; mine: boolean }[];
  /** Media are addressed by mxc:// URI and fetched through `chat.media`. */
  image?: { mxc: string; thumbnailMxc?: string; width?: number; height?: number; name: string };
  /** Only on our own messages the server has not confirmed yet. */
  sendState?: 'sending' | 'failed';
}

export interface ChatTimeline {
  itemId: string;
  roomId: string;
  roomName: string;
  topic?: string;
  encrypted: boolean;
  membership: 'join' | 'invite';
  /** Who sent the invitation, while the user is only invited. */
  inviter?: string;
  /** Oldest first. */
  messages: ChatMessage[];
  /** Older messages can be loaded with `older: true`. */
  hasOlder: boolean;
  /** Display names of the people typing right now. */
  typing: string[];
}

/** Where a chat message goes: an inbox item (a room), or a room id on one of the Matrix accounts. */
export type ChatTarget = { itemId: string } | { roomId: string; accountId?: string };

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
  /** Logs in (the homeserver found through /.well-known unless given) and keeps only the token. */
  'accounts.addMatrix': { params: MatrixAccountInput; result: AccountView };
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
  /** A room's timeline; `older` first loads one more page of history from the server. */
  'chat.timeline': { params: { itemId: string; older?: boolean }; result: ChatTimeline };
  /**
   * Sends a message (markdown becomes formatted_body); it shows at once as "sending", and a failure
   * shows on the message with Retry. With `waitForDelivery` (the CLI) the call resolves once the
   * server has it, and fails if it does not.
   */
  'chat.send': { params: ChatTarget & { text: string; replyToId?: string; waitForDelivery?: boolean }; result: { itemId: string } };
  /** Sends again a message whose first try failed. */
  'chat.retry': { params: { itemId: string; messageId: string }; result: null };
  'chat.respondToInvite': { params: { itemId: string; accept: boolean }; result: null };
  /** An image (or its thumbnail) from the homeserver's media API, as a data: URL for <img>. */
  'chat.media': { params: { itemId: string; mxc: string; thumbnail: boolean }; result: { dataUrl: string } };
  'chat.typing': { params: { itemId: string; typing: boolean }; result: null };
}

/** Everything the hub pushes without being asked. */
export interface HubEvents {
  /** Items were added, changed or removed; clients refetch what they show. */
  'inbox.changed': { accountIds: string[] };
  'account.status': AccountStatus;
  'accounts.changed': Record<string, never>;
  /** New items that should raise a desktop notification. */
  'inbox.notify': { items: NewItemNotice[] };
  /** An open room's timeline changed: a message, an echo's state, a receipt or someone typing. */
  'chat.changed': { itemIds: string[] };
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
  'accounts.addMatrix',
  'chat.timeline',
  'chat.send',
  'chat.retry',
  'chat.respondToInvite',
  'chat.media',
  'chat.typing',
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
