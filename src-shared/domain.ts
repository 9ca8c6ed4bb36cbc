/**
 * Domain types shared by the hub and the renderer. No node:, electron or DOM here:
 * this folder must compile for every layer.
 */
import type { RichNode } from './rich-text.ts';

/** What the user sees a source as. One account kind maps to exactly one source kind. */
export type SourceKind = 'mail' | 'chat' | 'feed';

/**
 * The protocol behind an account: a connector kind's id ('imap', 'matrix', 'feed', or a plug-in's).
 * Each kind maps to exactly one source kind, which the account carries as `source`.
 */
export type AccountKind = string;

export type ImapSecurity = 'tls' | 'starttls' | 'plain';

/** Non-secret IMAP settings. The password lives in the keychain under the account id. */
export interface ImapSettings {
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  /** Initial sync window: only mail newer than this many days ... */
  syncWindowDays: number;
  /** ... and at most this many messages, newest first. */
  syncMaxMessages: number;
  /** Where mail is sent from; absent: this account only receives (accounts from before SMTP, or none given). */
  smtp?: SmtpSettings;
  /** The From address of mail sent from this account; absent: the user name when it is an address. */
  address?: string;
  /** The name shown beside that address. */
  fromName?: string;
  /** OAuth2 instead of a password (absent: a password); the tokens live in the keychain. */
  oauth?: ImapOAuthSettings;
}

/** Plain SMTP, like plain IMAP, is only allowed to this computer. */
export type SmtpSecurity = 'tls' | 'starttls' | 'plain';

/** Non-secret SMTP settings; the password is the IMAP one unless `ownPassword` (then a keychain entry of its own). */
export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Absent: the IMAP user name. */
  user?: string;
  ownPassword: boolean;
}

/** The OAuth2 client an IMAP account signed in with: its refresh token only works with this client. */
export interface ImapOAuthSettings {
  provider: string;
  providerName: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  clientId: string;
}

/** Non-secret Matrix settings. The access (and refresh) token lives in the keychain, never the password. */
export interface MatrixSettings {
  /** The client-server API base, as /.well-known/matrix/client named it or the user typed it. */
  homeserverUrl: string;
  /** The full user id, `@alice:example.org`. */
  userId: string;
  /** The device this login created ("Groundswell on <hostname>"); signing in again keeps it. */
  deviceId?: string;
  /** Signs in through single sign-on (the browser), with this identity provider when the server has several. */
  sso?: { identityProvider?: string };
}

/** How loudly a feed's new entries arrive: a desktop notification, only the unread badge, or read. */
export type FeedAlertLevel = 'notify' | 'badge' | 'silent';
export const FEED_ALERT_LEVELS: readonly FeedAlertLevel[] = ['notify', 'badge', 'silent'];

/** Internal feeds may need credentials; the password or token itself lives in the keychain. */
export type FeedAuth = 'none' | 'basic' | 'bearer';

export interface FeedSettings {
  /** The feed document's address (after autodiscovery; updated on a permanent redirect). */
  url: string;
  /** The site's home page, when the feed names one. */
  siteUrl?: string;
  intervalSeconds: number;
  /** Sidebar group (from OPML folders); empty for none. */
  folder: string;
  alertLevel: FeedAlertLevel;
  /** Entries whose title or categories contain one of these words are marked priority. */
  keywords: string[];
  auth: FeedAuth;
  /** The user name for basic auth. */
  username?: string;
}

export const FEED_MIN_INTERVAL_SECONDS = 60;
export const FEED_DEFAULT_INTERVAL_SECONDS = 600;

/**
 * An account of any kind. Its settings are the kind's own (decoded with defaults by the kind);
 * code that shows a known kind's settings narrows with `isAccountOf`.
 */
export interface Account<S extends object = object> {
  id: string;
  kind: AccountKind;
  source: SourceKind;
  displayName: string;
  createdAt: number;
  settings: S;
}

/** The settings of the kinds that ship with Groundswell, for the screens that show them. */
export interface KnownSettings {
  imap: ImapSettings;
  matrix: MatrixSettings;
  feed: FeedSettings;
}

export type AccountOf<K extends keyof KnownSettings> = Account<KnownSettings[K]> & { kind: K };

export function isAccountOf<K extends keyof KnownSettings>(account: Account, kind: K): account is AccountOf<K> {
  return account.kind === kind;
}

/** The way back from an inbox item to the thing it stands for on its server. */
export type ItemOrigin =
  | {
      kind: 'mail';
      mailbox: string;
      uidValidity: number;
      uid: number;
      messageId?: string;
      /** The message has attachments: the list row shows a paperclip. */
      hasAttachments?: boolean;
    }
  | {
      kind: 'chat';
      roomId: string;
      /** The room's latest event, which a read receipt names. */
      eventId: string;
      /** Set while the user is only invited: the item offers Accept and Decline. */
      membership?: 'invite';
      /** Messages the server counts as unread in the room (its notification count). */
      unreadCount?: number;
      encrypted?: boolean;
      /** The other person, for a direct message. */
      direct?: boolean;
    }
  | { kind: 'feed'; guid: string; link?: string };

export interface InboxItem {
  /** Stable across restarts: `${accountId}:${externalId}`. */
  id: string;
  accountId: string;
  source: SourceKind;
  /** Groups items of one conversation: a mail thread, a room, a feed. */
  conversationKey: string;
  sender: string;
  title: string;
  snippet: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  unread: boolean;
  /** A mention, a priority rule match or a flagged message. */
  priority: boolean;
  origin: ItemOrigin;
  /** Set by the hub when the sender's address imitates another one; the window shows a warning beside the sender. */
  senderWarning?: SenderWarning;
  /** Triage state the hub keeps (TriageState): the server learns it where its protocol has a place for it. */
  done: boolean;
  starred: boolean;
  /** Hidden from the Inbox until this time (ms since the epoch). */
  snoozedUntil: number | null;
  /** Came back from snooze at this time, which the list shows ("snoozed until 09:00") until the item is triaged again. */
  snoozeEnded: number | null;
  /** An action on this item waits in the outbox for its server ("waiting to sync"). */
  pending: boolean;
}

/**
 * Why a sender's address should not be trusted at sight (UTS #39's ideas): its domain is spelt
 * with letters drawn like other letters and passes for `imitates` ("pаypal.com" with a Cyrillic
 * а passes for paypal.com), or it mixes alphabets in one name, which real domains almost never do.
 * `domain` is as the address spells it, in Unicode.
 */
export type SenderWarning = { kind: 'looks-like'; domain: string; imitates: string } | { kind: 'mixed-script'; domain: string };

/** The triage fields of an inbox item, which connector upserts never overwrite. */
export type TriageState = Pick<InboxItem, 'done' | 'starred' | 'snoozedUntil' | 'snoozeEnded' | 'pending'>;
export const TRIAGE_FIELDS = ['done', 'starred', 'snoozedUntil', 'snoozeEnded', 'pending'] as const satisfies readonly (keyof TriageState)[];

/** Inbox: neither done nor snoozed (the default). All: every item but deleted ones and spam. */
export type TriageView = 'inbox' | 'snoozed' | 'done' | 'starred' | 'all';
export const TRIAGE_VIEWS: readonly TriageView[] = ['inbox', 'snoozed', 'done', 'starred', 'all'];

export type TriageAction = 'done' | 'undone' | 'star' | 'unstar' | 'snooze' | 'unsnooze' | 'delete' | 'spam' | 'read' | 'unread';
export const TRIAGE_ACTIONS: readonly TriageAction[] = ['done', 'undone', 'star', 'unstar', 'snooze', 'unsnooze', 'delete', 'spam', 'read', 'unread'];

/** What the reading pane shows for one item. Body text is plain text, never HTML. */
export interface ItemDetail {
  item: InboxItem;
  headers: { name: string; value: string }[];
  bodyText: string;
  /** Sanitized formatted content, when the source has any (feed entries); shown instead of bodyText. */
  content?: RichNode[];
  /** Set when the body could not be fetched or parsed; the item itself still shows. */
  bodyError?: string;
  /** Mail only: the HTML part, the attachments, what the sender asked for. */
  mail?: MailBody;
  /** The messages of this item's conversation, oldest first, this one among them; absent when it is alone. */
  conversation?: ConversationEntry[];
}

export interface ConversationEntry {
  itemId: string;
  sender: string;
  timestamp: number;
  snippet: string;
  unread: boolean;
  hasAttachments: boolean;
}

/** One attachment of a mail, as the reading pane lists it and `item.attachment` fetches it. */
export interface MailAttachment {
  /** Its place in the list, from 1: what `item.attachment` and `groundswell attachment save` take. */
  index: number;
  /** The file name, cleaned so it can be saved as it is (no folders, no control characters). */
  name: string;
  contentType: string;
  /** In bytes once decoded (the server gives the encoded size; base64 is counted back). */
  size: number;
  /** Opening it can run code (.exe, .js, .desktop, .html…): the window asks before opening it. */
  risky: boolean;
}

export interface MailBody {
  /**
   * The HTML part after the hub's sanitizer: no scripts, handlers, forms or navigation, links only to
   * http, https and mailto, the message's own cid: images as data: URLs. Shown only in a sandboxed
   * frame with its own content security policy, never in the page itself.
   */
  html?: string;
  /** Remote images and styles left out of `html` because the user has not allowed them. */
  remoteBlocked: number;
  /** Remote content is in `html`: the user chose Show images for this message, or always for this sender. */
  remoteShown?: 'message' | 'sender';
  /** The sender's address, for "Always from this sender". */
  senderAddress?: string;
  attachments: MailAttachment[];
  /** The sender asked for a read receipt (Disposition-Notification-To) at this address; none is sent. */
  receiptRequested?: string;
}

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'online'; since: number }
  | { state: 'syncing'; done: number; total: number }
  | { state: 'offline'; reason: string; nextRetryAt: number }
  | { state: 'auth-failed'; reason: string }
  | { state: 'stopped' };

/** For polled sources: what the last polls did and when the next one is due. */
export interface PollActivity {
  lastSuccessAt?: number;
  lastErrorAt?: number;
  lastError?: string;
  nextPollAt?: number;
}

export interface AccountStatus {
  accountId: string;
  connection: ConnectionState;
  activity?: PollActivity;
}

export interface AccountView {
  account: Account;
  /** Where the account lives, in one line ("me@imap.example.com:993"), from its kind. */
  summary: string;
  status: ConnectionState;
  activity?: PollActivity;
  unread: number;
  /** Unread items marked priority (mentions, keyword matches, flagged mail). */
  priorityUnread: number;
  /** "Sign in again" goes through the system browser (OAuth2, single sign-on), not a password. */
  signsInWithBrowser?: boolean;
}

/** Unencrypted IMAP would send the password in the clear, so only this computer may be reached that way. */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '127.0.0.1' || h === '::1';
}

export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
