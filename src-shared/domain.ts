/**
 * Domain types shared by the hub and the renderer. No node:, electron or DOM here:
 * this folder must compile for every layer.
 */

/** What the user sees a source as. One account kind maps to exactly one source kind. */
export type SourceKind = 'mail' | 'chat' | 'feed';

/** The protocol behind an account. */
export type AccountKind = 'imap' | 'matrix' | 'feed';

export const SOURCE_OF_ACCOUNT: Record<AccountKind, SourceKind> = {
  imap: 'mail',
  matrix: 'chat',
  feed: 'feed',
};

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
}

export interface MatrixSettings {
  homeserverUrl: string;
  userId: string;
  deviceId?: string;
}

export interface FeedSettings {
  url: string;
  intervalSeconds: number;
}

interface AccountBase {
  id: string;
  displayName: string;
  createdAt: number;
}

export type Account =
  | (AccountBase & { kind: 'imap'; settings: ImapSettings })
  | (AccountBase & { kind: 'matrix'; settings: MatrixSettings })
  | (AccountBase & { kind: 'feed'; settings: FeedSettings });

/** The way back from an inbox item to the thing it stands for on its server. */
export type ItemOrigin =
  | { kind: 'mail'; mailbox: string; uidValidity: number; uid: number; messageId?: string }
  | { kind: 'chat'; roomId: string; eventId: string }
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
}

/** What the reading pane shows for one item. Body text is plain text, never HTML. */
export interface ItemDetail {
  item: InboxItem;
  headers: { name: string; value: string }[];
  bodyText: string;
  /** Set when the body could not be fetched or parsed; the item itself still shows. */
  bodyError?: string;
}

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'online'; since: number }
  | { state: 'syncing'; done: number; total: number }
  | { state: 'offline'; reason: string; nextRetryAt: number }
  | { state: 'auth-failed'; reason: string }
  | { state: 'stopped' };

export interface AccountStatus {
  accountId: string;
  connection: ConnectionState;
}

export interface AccountView {
  account: Account;
  status: ConnectionState;
  unread: number;
}

/** Unencrypted IMAP would send the password in the clear, so only this computer may be reached that way. */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '127.0.0.1' || h === '::1';
}

export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
