/**
 * The one interface every source implements. A connector runs in plain Node, knows its protocol
 * and maps it to InboxItem in one place. It never touches the store, the keychain or Electron:
 * the hub hands it everything it needs through ConnectorContext.
 */
import type { ChatMessage, ChatTimeline, EncryptionStatus, VerificationAction, VerificationView } from '../../src-shared/api.ts';
import type { Account, ConnectionState, InboxItem, ItemDetail, ItemOrigin, PollActivity, TriageState } from '../../src-shared/domain.ts';
import type { ComposeMode, MailDraft } from '../../src-shared/mail.ts';
import type { Logger } from '../common/logger.ts';

/**
 * An item as a connector produces it; the hub derives `id` from account id + externalId, cuts and
 * cleans its text (hub/text-limits.ts), decides on a sender warning from `senderAddress`, and keeps
 * the triage state itself (a connector reports the server's side of it as `facts`).
 */
export type ConnectorItem = Omit<InboxItem, 'id' | 'accountId' | 'senderWarning' | keyof TriageState> & {
  /** The sender's address (`someone@example.com`) when `sender` shows a name: checked for look-alike domains, not stored. */
  senderAddress?: string;
  /** Unique within the account and stable across restarts. */
  externalId: string;
  /** Where the item lives inside the account (a mailbox, a room, a feed URL); sync works per scope. */
  scope: string;
  /** Extra text for the search index beyond the snippet (optional). */
  searchText?: string;
  /** Who a mail went to (names and addresses, one line), found by `to:`. */
  recipients?: string;
  /** Files come with it (mail): found by `has:attachment`. */
  hasAttachments?: boolean;
  /**
   * A conversation's messages as the connector sees them now (chat), each searchable on its own so
   * a search opens the room at the one that matched. Stored ones are kept; an empty body drops one.
   */
  messages?: { id: string; sender: string; body: string; timestamp: number }[];
  /**
   * The reading-pane body, when the connector has it at hand and cannot fetch it later (a feed entry
   * leaves the feed); the hub stores it beside the item.
   */
  detail?: Omit<ItemDetail, 'item'>;
  /** What the server says about the item's triage (a flag set in any client); the hub decides what follows. */
  facts?: Omit<TriageFact, 'externalId'>;
  /**
   * What the connector knows about the item's arrival, for the hub's attention rules to decide its
   * level (notify, badge, silent) and priority. Facts only: the connector never decides to notify.
   */
  attention?: AttentionFacts;
};

/** Facts about a new or changed item that attention rules match on (hub/attention/rules.ts). */
export interface AttentionFacts {
  /** New since the last sync (a live push, a poll after the first): not backlog from a first sync or a catch-up. */
  fresh: boolean;
  /** Written by the account's own user (mail from my address, my message as the room's newest). */
  fromMe: boolean;
  /** Matrix: a highlight by the push rules; mail: my address is in To (not only Cc). */
  mentionsMe: boolean;
  /** Matrix: a direct-message room; mail: addressed to me alone. */
  direct: boolean;
  /** The sender as rules match it: an address (`tom@example.com`) or a user id (`@priya:example.org`). */
  sender?: string;
  /** The conversation's name (the room, the mail thread's subject, the feed's title), for rules made from it. */
  conversationName: string;
  /** Where the item arrived, as a notification names it: the room, the mailbox ("INBOX"), the feed. */
  place: string;
  /** Mail: the mailbox path. */
  mailbox?: string;
  /** What keyword rules look in (the latest message's text for a room; title and categories for a feed entry). */
  text: { title: string; categories: string[]; body: string };
}

/** A server's own triage state for an item (IMAP \Flagged, a Matrix room tag or account data). */
export interface TriageFact {
  externalId: string;
  starred?: boolean;
  /** Done on the server up to the item's timestamp `through`; null: not done there. */
  done?: { through: number } | null;
  snoozedUntil?: number | null;
}

export interface ConnectorContext<S extends object = object> {
  readonly account: Account<S>;
  readonly log: Logger;
  /** The account's secret (password or token) from the keychain, read when needed; `name`: one of its kind's further secrets. */
  readSecret(name?: string): Promise<string>;
  /** Replaces the account's keychain secret (a Matrix session that gained its crypto store key). */
  writeSecret(secret: string): Promise<void>;
  /**
   * The password the user just typed to add the account or sign in again, held in memory only for a
   * few minutes and handed out once: a server that asks for it again (cross-signing setup) gets it
   * without a second prompt.
   */
  takeSignInPassword(): string | undefined;
  /** A directory of the account's own under the profile (created on first use), deleted with the account. */
  readonly dataDir: string;
  /** Sync cursors persisted by the hub, namespaced per account. Values are JSON-serialisable. */
  readCursor<T>(key: string): T | undefined;
  writeCursor(key: string, value: unknown): void;
  /** The externalIds the store holds for this account whose origin lies in `scope` (e.g. a mailbox). */
  knownExternalIds(scope: string): string[];
  /** Items that only need their read state checked: externalId → unread. */
  knownReadState(scope: string): Map<string, boolean>;
  /** Read state and timestamp of stored items, for sources that re-send what they sent before. */
  /**
   * With `among`, only those of the given externalIds that are stored: a feed's poll looks up the
   * entries it fetched, not every entry the feed ever had (a long-followed feed holds thousands).
   */
  knownItems(scope: string, among?: readonly string[]): Map<string, { unread: boolean; timestamp: number }>;
  status(state: ConnectionState): void;
  /** For polled sources: the last success, last error and next poll, shown with the account. */
  activity(activity: PollActivity): void;
  /** The server moved the account for good (a permanent redirect): persist the new settings. */
  updateSettings(settings: S): void;
  /**
   * Stores items. With `cursor`, the cursor moves once they (and what the hub decided about them)
   * are stored: a crash can never leave the cursor past items that were not.
   */
  upsert(items: ConnectorItem[], cursor?: { key: string; value: unknown }): void;
  /** Changes read state of items already stored; cheaper than a full upsert. */
  setUnread(changes: { externalId: string; unread: boolean }[]): void;
  /** Triage state the server reports for stored items; items with an action of ours still waiting keep theirs. */
  triageFacts(facts: TriageFact[]): void;
  remove(externalIds: string[]): void;
  /** Drop everything stored under `scope` (e.g. after a UIDVALIDITY change). */
  clearScope(scope: string): void;
  /** A conversation's timeline changed (chat): the hub tells a reading pane that shows it. */
  chatChanged(externalIds: string[]): void;
  /** The account's encryption state changed (a verification step, a device, the backup). */
  securityChanged(): void;
}

/** A room's timeline, as the connector knows it; the hub adds the item id. */
export type ConnectorTimeline = Omit<ChatTimeline, 'itemId'>;

/** What chat sources offer beyond the inbox row: the room itself. Rooms are addressed by externalId. */
export interface ChatConnector {
  /** `around`: a message (a search hit) to load older history back to, if the timeline does not hold it yet. */
  timeline(externalId: string, options: { older: boolean; around?: string }): Promise<ConnectorTimeline>;
  /**
   * Queues the message and returns once it shows as "sending"; failure shows on the message. With
   * `waitForDelivery` it resolves when the server has it and throws if it does not.
   */
  send(externalId: string, text: string, options: { replyToId?: string; waitForDelivery: boolean }): Promise<void>;
  retry(externalId: string, messageId: ChatMessage['id']): Promise<void>;
  respondToInvite(externalId: string, accept: boolean): Promise<void>;
  /** Media from the homeserver (images only), at most `maxBytes`. */
  media(mxc: string, options: { thumbnail: boolean; maxBytes: number }): Promise<{ contentType: string; bytes: Uint8Array }>;
  typing(externalId: string, typing: boolean): Promise<void>;
}

/** End-to-end encryption of a chat account: devices, cross-signing, emoji verification, key backup. */
export interface EncryptionConnector {
  status(): Promise<Omit<EncryptionStatus, 'accountId'>>;
  setUpCrossSigning(password: string): Promise<void>;
  verifyDevice(deviceId: string): Promise<VerificationView>;
  respondToVerification(requestId: string, action: VerificationAction): Promise<VerificationView>;
  setUpBackup(): Promise<{ recoveryKey: string }>;
  restoreBackup(recoveryKey: string): Promise<{ imported: number; total: number }>;
  resetBackup(): Promise<{ recoveryKey: string }>;
}

/**
 * A triage action as a server sees it. Read and unread go through `markRead`/`markUnread`; 'restore'
 * brings a deleted or spam item back where it came from; 'purge' removes one already deleted for good.
 */
export type ServerTriageAction = 'done' | 'undone' | 'star' | 'unstar' | 'snooze' | 'unsnooze' | 'delete' | 'spam' | 'restore' | 'purge';

export interface TriageTarget {
  item: InboxItem;
  /** The item's external id as last stored (a move changes it). */
  externalId: string;
}

export interface TriageOutcome {
  /** Items the server moved, and how it knows each now (an IMAP move's new UID): the item keeps its id. */
  moved: { externalId: string; now: { externalId: string; scope: string; origin: ItemOrigin } }[];
  /** Items the server no longer has; the action is done with them. */
  missing: string[];
  /** What else the server did, in the user's words ("Created the mailbox Archive for done mail"). */
  notices: string[];
}

/**
 * Triage kept in step with the server, for kinds whose protocol has a place for it. One call is one
 * action on several items of the account, sent as one round trip per mailbox or room. Throws
 * ConnectorError: 'connection-failed' and 'auth-failed' mean "try again later"; any other code is
 * a refusal for good, which the hub rolls back with the message.
 */
export interface TriageConnector {
  apply(action: ServerTriageAction, targets: TriageTarget[], options: { until?: number }): Promise<TriageOutcome>;
}

/** What the composer starts from for an answer or a forward, read from the original on the server. */
export type PreparedDraft = Pick<MailDraft, 'to' | 'cc' | 'subject' | 'quote' | 'thread'>;

/** A message built once (its Message-ID fixed), stored as it is and handed to the server as often as needed. */
export interface ComposedMail {
  messageId: string;
  /** The message as it goes over SMTP (no Bcc header). */
  raw: Uint8Array;
  /** The copy for the Sent mailbox, when it differs (it keeps the Bcc header). */
  sentCopy?: Uint8Array;
  envelope: { from: string; to: string[] };
}

/**
 * What one try to hand a message to the server did. `unsure`: the connection broke after the whole
 * message went out and before the server answered, so it may have been taken.
 */
export type DeliveryOutcome =
  | { status: 'accepted'; response: string; rejected: { address: string; reason: string }[] }
  | { status: 'failed'; transient: boolean; message: string }
  | { status: 'unsure'; message: string };

/** Sending mail, for kinds that can: compose, deliver, file the copy and mark the original. */
export interface MailConnector {
  prepare(mode: Exclude<ComposeMode, 'new'>, original: TriageTarget): Promise<PreparedDraft>;
  /** Throws ConnectorError: invalid-input names what is wrong with the draft; connection-failed when an original to attach cannot be read. */
  compose(draft: MailDraft, original: TriageTarget | undefined, options?: { messageId?: string; asDraft?: boolean }): Promise<ComposedMail>;
  /** One try; `handedOver` is called the moment the whole message is on its way, before the server answers. */
  deliver(mail: ComposedMail, handedOver: () => void): Promise<DeliveryOutcome>;
  /**
   * After the server took it: a copy in the Sent mailbox unless the server files one itself (or one
   * with this Message-ID is there already), and \Answered or $Forwarded on the original.
   */
  file(mail: ComposedMail, original?: { target: TriageTarget; flag: 'answered' | 'forwarded' }): Promise<{ notices: string[] }>;
  /** Whether the Sent mailbox holds a message with this Message-ID. */
  findSent(messageId: string): Promise<boolean>;
  /** Keeps the draft in the server's Drafts mailbox, replacing an earlier copy of the same draft. */
  saveDraft(mail: ComposedMail): Promise<void>;
}

export interface Connector {
  /** Starts connecting in the background; progress comes through ctx.status. */
  start(): void;
  /** Closes connections and timers. Safe to call twice. */
  stop(): Promise<void>;
  /** Connects, catches up once and resolves; throws a ConnectorError on failure. */
  syncOnce(): Promise<void>;
  markRead(items: InboxItem[]): Promise<void>;
  markUnread(items: InboxItem[]): Promise<void>;
  /** Loads the full body for the reading pane (mail adds `mailSource`, which the hub makes safe). */
  loadDetail(item: InboxItem): Promise<ConnectorDetail>;
  /** Present on mail connectors: attachments fetched one at a time, when the user asks. */
  readonly attachments?: AttachmentConnector;
  /** Present on chat connectors. */
  readonly chat?: ChatConnector;
  /** Present on connectors with end-to-end encryption. */
  readonly encryption?: EncryptionConnector;
  /** Present on connectors whose server keeps triage state; the others get local triage only. */
  readonly triage?: TriageConnector;
  /** Present on connectors that send mail (an account with an outgoing server). */
  readonly mail?: MailConnector;
}

/** A body as a connector loads it: mail brings its raw HTML part and attachments, which the hub sanitizes and lists. */
export type ConnectorDetail = Omit<ItemDetail, 'item'> & { mailSource?: ConnectorMailSource };

export interface ConnectorMailSource {
  /** The HTML part as the sender wrote it (decoded to text, capped): never shown before the hub's sanitizer. */
  html?: string;
  /** The message's own images, by Content-ID (lower-case, without <>), as data: URLs. */
  inlineImages: Record<string, string>;
  /** In the message's order; `ref` is how the connector finds the part again (an IMAP body part number). */
  attachments: { ref: string; name: string; contentType: string; size: number }[];
  senderAddress?: string;
  /** Disposition-Notification-To, when the sender asked for a read receipt. */
  receiptRequested?: string;
}

/** Attachments of mail, fetched one at a time when the user opens or saves one (never with the message). */
export interface AttachmentConnector {
  /** The decoded bytes of one attachment, fetched from the server now; throws 'invalid-input' past maxBytes. */
  fetch(item: InboxItem, ref: string, maxBytes: number): Promise<Uint8Array>;
}

export type ConnectorErrorCode = 'auth-failed' | 'connection-failed' | 'invalid-input' | 'not-found' | 'protocol';

/** What a connector throws: a code the hub can map to a Result, and a message with no secret in it. */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  constructor(code: ConnectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
  }
}
