/**
 * The one contract between the renderer (or CLI) and the hub. Electron IPC and the `serve`
 * WebSocket both carry exactly these calls and events; renaming one breaks the build on both sides.
 */
import type { RichNode } from './rich-text.ts';
import type {
  AccountKind,
  AccountView,
  AccountStatus,
  FeedAlertLevel,
  ImapSecurity,
  InboxItem,
  SmtpSecurity,
  ItemDetail,
  SourceKind,
  TriageAction,
  TriageView,
} from './domain.ts';
import type { ComposeMode, MailDraft, OutboxMessage, SendResult } from './mail.ts';
import type { AttentionRule, AttentionSettings, ItemWhy, QuietHours, RaisedNotification, RuleInput } from './attention.ts';
import type { Preferences } from './preferences.ts';
import type { Result } from './result.ts';

/**
 * One input field of a kind's account, as forms and the CLI show it. The kind describes its fields;
 * the add-account dialog draws a form for a kind it has no screen of its own for, and the CLI turns
 * them into flags (`--flag VALUE`, a secret as `--flag-stdin`).
 */
export interface KindField {
  /** The key in the kind's input object. */
  name: string;
  label: string;
  type: 'text' | 'secret' | 'number' | 'choice' | 'list';
  required: boolean;
  /** The CLI flag, without dashes. */
  flag: string;
  choices?: readonly string[];
  placeholder?: string;
  help?: string;
  /** Can be changed on an existing account with `accounts.update` (secrets change through `accounts.updatePassword`). */
  changeable: boolean;
  /**
   * Giving this field signs in through the system browser (`signIn.start`) instead of with the
   * secret: 'value' takes the provider (`--oauth google`), 'flag' is a switch (`--sso`).
   */
  browserSignIn?: 'value' | 'flag';
}

/** What a kind offers beyond the inbox rows, discovered by the hub instead of named ('autoconfig': set up from an email address). */
export type KindCapability = 'chat' | 'encryption' | 'opml' | 'triage' | 'mail' | 'autoconfig';

export interface KindDescriptor {
  kind: AccountKind;
  source: SourceKind;
  /** "IMAP mail", in the user's words. */
  label: string;
  /** One line under the label in the add-account dialog. */
  description: string;
  fields: KindField[];
  capabilities: KindCapability[];
}

export interface ImapAccountInput {
  displayName: string;
  /** Taken from the OAuth2 provider's table when signing in with one and not given. */
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  /** Not with `oauthProvider`. */
  password: string;
  /** Sign in with this OAuth2 provider (`google`, `microsoft`, or one from the preferences) instead of a password. */
  oauthProvider?: string;
  /** The finished `signIn.start` for `oauthProvider`. */
  signInId?: string;
  syncWindowDays?: number;
  syncMaxMessages?: number;
  /** The From address of mail sent from this account (the user name when it is an address). */
  address?: string;
  fromName?: string;
  /** The outgoing server; without it the account only receives. */
  smtpHost?: string;
  smtpPort?: number;
  smtpSecurity?: SmtpSecurity;
  /** The IMAP user name and password unless given. */
  smtpUser?: string;
  smtpPassword?: string;
}

/** How a mail server proves who you are, as Thunderbird's config-v1.1 names it (`plain`/`secure` read as their new names). */
export type MailAuthentication =
  | 'password-cleartext'
  | 'password-encrypted'
  | 'OAuth2'
  | 'NTLM'
  | 'GSSAPI'
  | 'client-IP-address'
  | 'TLS-client-cert'
  | 'none';

/** One server a mail provider names (or a guess found answering), placeholders already filled in. */
export interface MailServerSetting {
  host: string;
  port: number;
  security: ImapSecurity;
  user: string;
  /** In the provider's order of preference. */
  authentication: MailAuthentication[];
}

/**
 * Where mail settings were looked up, in Thunderbird's order: the domain's own autoconfig file, its
 * /.well-known copy, the public ISP database, RFC 6186 SRV records, the ISP database under the
 * domain of the MX host, and last a guess (imap./mail./smtp. names) probed with a real connection.
 */
export type MailAutoconfigSource = 'domain' | 'well-known' | 'ispdb' | 'srv' | 'mx' | 'guess';

export interface MailAutoconfigStep {
  source: MailAutoconfigSource;
  /** The address asked (a URL, a DNS name, host:port). */
  where: string;
  /** found: it gave settings; nothing: not there; refused: there but unusable (the reason says why); skipped: not needed. */
  outcome: 'found' | 'nothing' | 'refused' | 'skipped';
  detail: string;
}

/** What `accounts.autoconfig` found for an address: shown to the user, who may correct any field before adding. */
export interface MailAutoconfig {
  email: string;
  found: boolean;
  /** The step that gave the settings, and where it looked. */
  source?: MailAutoconfigSource;
  where?: string;
  /** The provider's name from its file ("Google Mail"). */
  providerName?: string;
  /** In the provider's order of preference; the first is proposed. */
  imap: MailServerSetting[];
  smtp: MailServerSetting[];
  /**
   * 'required': the proposed IMAP server signs in only with OAuth2 (a password will be refused);
   * 'offered': OAuth2 is one of its ways.
   */
  oauth2?: 'required' | 'offered';
  /**
   * The provider's OAuth2 endpoints, when its file names them (config-v1.1's `<oAuth2>`): where a
   * sign-in through the provider's login page would go. Groundswell's own provider table decides
   * whether it can sign in there.
   */
  oauth2Provider?: { issuer: string; scopes: string[]; authUrl?: string; tokenUrl?: string };
  /** The guess logged in with the password given (or reached the server, without one). */
  verified: boolean;
  /** What the user must know before saving: an unencrypted connection, a server left out and why. */
  warnings: string[];
  steps: MailAutoconfigStep[];
  /** The kind that adds the account, and its input ready for `accounts.add` (without the password). */
  kind: AccountKind;
  input: Record<string, unknown>;
}

/** A Matrix account: the homeserver is found from the user id unless given. */
export interface MatrixAccountInput {
  /** `@alice:example.org`, or just `alice` together with homeserverUrl. */
  userId: string;
  homeserverUrl?: string;
  /** Used once to log in; Groundswell keeps the access token, not the password. Not with `signInId`. */
  password: string;
  displayName?: string;
  /** Single sign-on: the finished `signIn.start` (its identity provider chosen there). */
  signInId?: string;
}

/**
 * How an account of a kind can sign in, for the input given so far (a Matrix homeserver lists its
 * identity providers; mail lists the OAuth2 providers).
 */
export interface SignInOptions {
  /** A password is accepted. */
  password: boolean;
  /** Ways to sign in through the system browser. */
  browser: BrowserSignInOption[];
}

export interface BrowserSignInOption {
  /** Passed back to `signIn.start` as `provider`. */
  id: string;
  name: string;
  /** The provider's icon as a data: URL, when it has one. */
  icon?: string;
  /** Why it cannot be used yet (no client id set), in words; absent when it can. */
  problem?: string;
}

/** A sign-in waiting for the browser: open `url` in the system browser (never inside the app). */
export interface BrowserSignInStarted {
  signInId: string;
  url: string;
}

export type ChatMessageKind = 'text' | 'notice' | 'emote' | 'image' | 'file' | 'undecryptable' | 'redacted' | 'membership' | 'other';

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
  /**
   * Why an encrypted message cannot be read yet (kind 'undecryptable'): keys still expected from the
   * sender's device, or history only the key backup can open. Retried by itself when keys arrive.
   */
  decryption?: { problem: 'waiting-for-keys' | 'needs-backup' | 'not-for-this-device' | 'untrusted-sender' | 'other'; senderDevice?: string };
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

/** A device of the user's, as cross-signing sees it. */
export interface EncryptionDevice {
  deviceId: string;
  displayName: string;
  /** Signed by the user's own cross-signing identity (verified). */
  verified: boolean;
  /** This Groundswell. */
  current: boolean;
}

/** An emoji-comparison (SAS) verification between this device and another one of the user's. */
export interface VerificationView {
  /** The verification's transaction id; names it in `security.respondToVerification`. */
  requestId: string;
  /** Started on the other device (accept it here) or here (wait for the other device). */
  incoming: boolean;
  otherUserId: string;
  otherDeviceId?: string;
  phase: 'requested' | 'ready' | 'started' | 'compare-emoji' | 'done' | 'cancelled';
  /** The user said the emoji match here; the other device has not confirmed yet. */
  confirmedHere?: boolean;
  /** The seven emoji both screens show, once they are known. */
  emoji?: { symbol: string; name: string }[];
  /** Why it was cancelled, in words. */
  reason?: string;
}

/** The encryption state of a Matrix account: this device, cross-signing, the other devices, backup. */
export interface EncryptionStatus {
  accountId: string;
  deviceId: string;
  /** This device's ed25519 key, for comparing by hand in another client's device list. */
  fingerprint: string;
  /**
   * 'ready': the identity is on the server and its keys are here. 'not-set-up': there is no identity
   * yet (setting it up asks for the password). 'elsewhere': another device holds the identity;
   * verify this device from it, or with the recovery key.
   */
  crossSigning: 'ready' | 'not-set-up' | 'elsewhere';
  thisDeviceVerified: boolean;
  devices: EncryptionDevice[];
  /**
   * 'on': new room keys are backed up. 'off': there is no backup on the server. 'locked': a backup
   * exists but this device lacks its key; enter the recovery key to restore and keep backing up.
   */
  backup: { state: 'on' | 'off' | 'locked'; version?: string };
  verifications: VerificationView[];
}

export type VerificationAction = 'accept' | 'start' | 'confirm' | 'mismatch' | 'cancel';

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

/** What `accounts.update` may change on an IMAP account; the server is asked again before saving. */
export interface ImapAccountChanges {
  displayName?: string;
  host?: string;
  port?: number;
  security?: ImapSecurity;
  user?: string;
  syncWindowDays?: number;
  syncMaxMessages?: number;
  address?: string;
  fromName?: string;
  /** '' turns sending off. */
  smtpHost?: string;
  smtpPort?: number;
  smtpSecurity?: SmtpSecurity;
  /** '' goes back to the IMAP user name. */
  smtpUser?: string;
  /** '' goes back to the IMAP password. */
  smtpPassword?: string;
}

export interface MatrixAccountChanges {
  displayName?: string;
}

export interface FeedAccountChanges {
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

export interface InboxFilter {
  source?: SourceKind;
  accountId?: string;
  unreadOnly?: boolean;
  /** Which triage view; 'inbox' (not done, not snoozed) unless given. */
  view?: TriageView;
}

export interface TriageRequest {
  itemIds: string[];
  action: TriageAction;
  /** For 'snooze': when the items come back (ms since the epoch, in the future). */
  until?: number;
  /**
   * For 'delete' of mail already in the Trash, which removes it for good: must be true, or the call
   * fails with invalid-input saying so.
   */
  confirm?: boolean;
}

export interface TriageResult {
  /** The items whose state changed. */
  itemIds: string[];
  /** Some of the change still waits in the outbox for a server that could not be reached. */
  waiting: boolean;
  /** What the servers did beyond the action, in words ("Created the mailbox Archive on …"). */
  notices: string[];
}

/** What `items.undo` reversed. */
export interface UndoResult extends TriageResult {
  /** The action that was undone; absent when there was nothing to undo. */
  undone?: TriageAction;
}

/** Keyset cursor: the last row of the previous page. Opaque to callers. */
export type PageCursor = string;

export interface InboxQuery extends InboxFilter {
  limit?: number;
  after?: PageCursor;
  /** The page just newer than this cursor (a page's `previous`): scrolling back up from an older page. */
  before?: PageCursor;
  /** 'oldest': the oldest page of the list (End, or the scrollbar dragged to the bottom), found without an offset. */
  from?: 'oldest';
  /** The page that starts this many items below the newest: a jump into the middle of a long list. */
  offset?: number;
}

/**
 * A search: words (the last one a prefix while typed), "phrases", -left-out words and operators
 * (from: to: in: source: is: has: before: after:), as the README's search section describes.
 * `source` and `accountId` narrow it like the operators do; without them it looks everywhere.
 */
export interface SearchQuery extends InboxFilter {
  text: string;
  limit?: number;
  /** 'best' (default): grouped by source, best match first, newest breaking ties. 'newest': by date alone. */
  order?: SearchOrder;
}

export type SearchOrder = 'best' | 'newest';

/** A word a search looks for, folded as the index folds it (lower case, no accents); `prefix` while typed. */
export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/** Characters [start, end) of a text, in UTF-16 units. */
export type TextRange = [number, number];

/** Where an item matched: ranges in the fields the list shows, and for chat the message that matched. */
export interface SearchHit {
  sender: TextRange[];
  title: TextRange[];
  snippet: TextRange[];
  /** A chat hit: the message that matched; the item's sender, snippet and time are that message's. */
  messageId?: string;
}

export interface SearchResults extends InboxPage {
  /** How many items match in all (at least this many when `totalCapped`). */
  total: number;
  totalCapped: boolean;
  /** The words looked for, for highlighting the reading pane with src-shared/search-match.ts. */
  terms: SearchTerm[];
  /** By item id: where each item matched. */
  hits: Record<string, SearchHit>;
  /** Items stored but not searchable yet (the index catches up in the background): results may be missing some. */
  stillIndexing?: number;
}

export interface InboxPage {
  items: InboxItem[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: PageCursor;
  /** Pass as `before` to get the page just newer than this one; absent when it starts at the newest item. */
  previous?: PageCursor;
}

/** Unread items in the Inbox view: done and snoozed ones are not counted. */
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
  /** The account kinds this hub can add, with their fields and capabilities. */
  'kinds.list': { params: Record<string, never>; result: KindDescriptor[] };
  'accounts.list': { params: Record<string, never>; result: AccountView[] };
  /**
   * Adds an account of any kind once its server accepts it: IMAP logs in, a feed is fetched (following
   * a page's autodiscovery link) and must parse, Matrix logs in (homeserver from /.well-known unless
   * given) and keeps only the token. `input` is the kind's (ImapAccountInput, MatrixAccountInput,
   * FeedAccountInput, …); a wrong field comes back as invalid-input naming the field.
   */
  'accounts.add': { params: { kind: AccountKind; input: object }; result: AccountView };
  /**
   * Renames any account and changes its kind's settings (ImapAccountChanges, MatrixAccountChanges,
   * FeedAccountChanges, …). Changes that affect the connection are checked with the server first.
   */
  'accounts.update': { params: { accountId: string; changes: object }; result: AccountView };
  'accounts.remove': { params: { accountId: string }; result: null };
  /** "Sign in again": checks the new password (or feed token) with the server, stores it and reconnects. */
  'accounts.updatePassword': { params: { accountId: string; password: string }; result: AccountView };
  /**
   * Finds the mail settings of an email address (see MailAutoconfigSource for the order); the guess
   * probes with `password` when one is given. Nothing is saved: `accounts.add` takes `input` after
   * the user has looked at it. An address no step knows comes back with `found: false` and the steps.
   */
  'accounts.autoconfig': { params: { email: string; password?: string }; result: MailAutoconfig };
  /** "Sign in again" through the browser (OAuth2, single sign-on): keeps what the finished `signIn.start` brought and reconnects. */
  'accounts.signInAgain': { params: { accountId: string; signInId: string }; result: AccountView };
  /** The ways an account of `kind` can sign in, given what is typed so far (`input`: the kind's, partly filled). */
  'signIn.options': { params: { kind: AccountKind; input: object }; result: SignInOptions };
  /**
   * Starts a sign-in in the system browser: the hub listens on 127.0.0.1 for the provider's
   * redirect (RFC 8252). `input` names the provider (`oauthProvider` for mail, `identityProvider`
   * for Matrix) beside the kind's other fields; `accountId` signs an existing account in again.
   */
  'signIn.start': { params: { kind: AccountKind; input: object } | { accountId: string }; result: BrowserSignInStarted };
  /** Resolves once the browser came back and the sign-in is complete; fails with the provider's reason, or after 10 minutes. */
  'signIn.wait': { params: { signInId: string }; result: null };
  'signIn.cancel': { params: { signInId: string }; result: null };
  'inbox.list': { params: InboxQuery; result: InboxPage };
  'inbox.search': { params: SearchQuery; result: SearchResults };
  'inbox.counts': { params: Record<string, never>; result: UnreadCounts };
  /** How many items the list of this filter holds, so a list can size its scrollbar for all of them. */
  'inbox.total': { params: InboxFilter; result: { total: number } };
  /**
   * The reading pane's view of an item. For mail, `remoteContent: true` (Show images) lets this
   * message's remote images in; a sender in the `remoteImagesFrom` preference has them at once.
   */
  'item.get': { params: { itemId: string; remoteContent?: boolean }; result: ItemDetail };
  /**
   * One attachment of a mail (index from 1, as `ItemDetail.mail.attachments` lists it), fetched from
   * the server only now, as base64. At most ATTACHMENT_MAX_BYTES.
   */
  'item.attachment': { params: { itemId: string; index: number }; result: { name: string; contentType: string; size: number; base64: string } };
  /** "Always from this sender": remote images of mail from this address show at once (or not, with `allow: false`). */
  'mail.remoteImagesFrom': { params: { address: string; allow: boolean }; result: Preferences };
  'item.markRead': { params: { itemIds: string[] }; result: null };
  'item.markUnread': { params: { itemIds: string[] }; result: null };
  /**
   * Done, star, snooze, delete, spam, read or unread on several items at once: applied here at once,
   * then on each server (one round trip per mailbox or room); an unreachable server gets it later
   * from the outbox, and one that refuses for good rolls the change back with the reason.
   */
  'items.triage': { params: TriageRequest; result: TriageResult };
  /** Marks every unread item of a view read (the Inbox unless given), optionally of one source or account. */
  'items.markAllRead': { params: { view?: TriageView; source?: SourceKind; accountId?: string }; result: TriageResult };
  /** Reverses the last triage action, on the server too. */
  'items.undo': { params: Record<string, never>; result: UndoResult };
  'sync.once': { params: { accountId?: string }; result: { accounts: number } };
  /** Subscribes to every feed in an OPML document; folders become sidebar groups. */
  'feeds.importOpml': { params: { opml: string }; result: OpmlImportResult };
  'feeds.exportOpml': { params: Record<string, never>; result: { opml: string } };
  /** A room's timeline; `older` first loads one more page of history from the server. */
  /** `around`: a message id (a search hit) that older history is loaded back to, so the pane can show it. */
  'chat.timeline': { params: { itemId: string; older?: boolean; around?: string }; result: ChatTimeline };
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
  /** A Matrix account's encryption: this device, cross-signing, the user's devices, verifications, backup. */
  'security.status': { params: { accountId: string }; result: EncryptionStatus };
  /** Creates the cross-signing identity; the homeserver asks for the account's password to upload it. */
  'security.setUpCrossSigning': { params: { accountId: string; password: string }; result: EncryptionStatus };
  /** Asks another of the user's devices to verify this one by emoji; it shows in `verifications`. */
  'security.verifyDevice': { params: { accountId: string; deviceId: string }; result: VerificationView };
  'security.respondToVerification': { params: { accountId: string; requestId: string; action: VerificationAction }; result: VerificationView };
  /** Turns on key backup, protected by a new recovery key, shown this once. */
  'security.setUpBackup': { params: { accountId: string }; result: { recoveryKey: string; status: EncryptionStatus } };
  /** Opens the backup with the recovery key: history becomes readable and this device keeps backing up. */
  'security.restoreBackup': { params: { accountId: string; recoveryKey: string }; result: { imported: number; total: number; status: EncryptionStatus } };
  /**
   * Deletes the backup and its recovery key and makes new ones. Messages only the old backup could
   * open stay unreadable on new devices; `confirm` must be true.
   */
  'security.resetBackup': { params: { accountId: string; confirm: boolean }; result: { recoveryKey: string; status: EncryptionStatus } };
  /**
   * A draft to start the composer from: empty for 'new' (accountId), or for an answer or a forward of
   * a mail item (itemId) its recipients (Reply all: without my own addresses, each once), "Re:"/"Fwd:"
   * once, the quoted original and the thread, read from the server.
   */
  'mail.prepare': { params: { mode: ComposeMode; itemId?: string; accountId?: string }; result: MailDraft };
  /**
   * Builds the message once (its Message-ID fixed), queues it in the outbox and tries at once. A
   * server that cannot be reached leaves it 'waiting' (sent later, never twice); a refusal for good
   * comes back 'refused' with the server's words and the draft kept. The original gets \Answered or
   * $Forwarded and a copy goes to Sent.
   */
  'mail.send': { params: { draft: MailDraft }; result: SendResult };
  /** Keeps the draft on this computer while it is typed; returns its id for the next save. */
  'mail.saveDraft': { params: { draft: MailDraft }; result: { draftId: string; savedAt: number } };
  /** The composer closes unsent: `keep` files the draft in the server's Drafts mailbox, otherwise it is thrown away. */
  'mail.closeDraft': { params: { draftId: string; keep: boolean }; result: { savedOnServer: boolean; message?: string } };
  /** Drafts kept on this computer (a composer closed by a crash, a message the server refused), newest first. */
  'mail.drafts': { params: { accountId?: string }; result: MailDraft[] };
  /** Messages waiting to send, being sent, or unsure after a crash. */
  'mail.outbox': { params: Record<string, never>; result: OutboxMessage[] };
  /** Tries a waiting message now, or sends again one left unsure. */
  'mail.retry': { params: { outboxId: string }; result: SendResult };
  /** Takes an unsure message as sent (the user saw it arrive): its copy is filed, it is not sent again. */
  'mail.markSent': { params: { outboxId: string }; result: SendResult };
  'preferences.get': { params: Record<string, never>; result: Preferences };
  /** What this run of the hub found when it opened the profile and the user must hear about (a damaged database set aside). */
  'profile.notices': { params: Record<string, never>; result: ProfileNotice[] };
  /** Changes some preferences; the others keep their values. */
  'preferences.set': { params: { changes: Partial<Preferences> }; result: Preferences };
  /** The attention rules in the order they are tried: the first that matches an item decides. */
  'rules.list': { params: Record<string, never>; result: AttentionRule[] };
  /** Adds a rule, placed ahead of every less specific one; returns it. */
  'rules.add': { params: RuleInput; result: AttentionRule };
  /** Changes a rule's name, level or priority (built-in rules too). */
  'rules.update': { params: { ruleId: string; changes: Partial<Pick<AttentionRule, 'name' | 'level' | 'priority'>> }; result: AttentionRule };
  /** Removes a rule of the user's; built-in rules can be changed but not removed. */
  'rules.remove': { params: { ruleId: string }; result: null };
  /** Moves a rule ahead of another one (`beforeRuleId` null: to the end). */
  'rules.move': { params: { ruleId: string; beforeRuleId: string | null }; result: AttentionRule[] };
  'attention.get': { params: Record<string, never>; result: AttentionSettings };
  /** Sets the daily quiet hours, or turns them off with null. */
  'attention.setQuietHours': { params: { quietHours: QuietHours | null }; result: AttentionSettings };
  /** Holds notifications until a time (ms since the epoch), or resumes them with null. */
  'attention.pause': { params: { until: number | null }; result: AttentionSettings };
  /** Why an item has its level, priority and unread state. */
  'item.why': { params: { itemId: string }; result: ItemWhy };
}

/** Something that happened to the profile itself, told once, in words. */
export interface ProfileNotice {
  kind: 'database-set-aside';
  message: string;
  /** Where the damaged database was moved (it is kept, never deleted). */
  movedTo: string;
  at: number;
}

/** Everything the hub pushes without being asked. */
export interface HubEvents {
  /** Items were added, changed or removed; clients refetch what they show. */
  'inbox.changed': { accountIds: string[] };
  'account.status': AccountStatus;
  'accounts.changed': Record<string, never>;
  /** An open room's timeline changed: a message, an echo's state, a receipt or someone typing. */
  'chat.changed': { itemIds: string[] };
  /** A Matrix account's encryption changed: a verification moved on, a device appeared, backup state. */
  'security.changed': { accountId: string };
  'preferences.changed': Preferences;
  /** Messages entered, moved through or left the mail outbox. */
  'mail.outboxChanged': { accountIds: string[] };
  /** A notification the rules raised (the same stream the desktop notification, the browser's and `watch` come from). */
  'attention.notification': RaisedNotification;
  /** Rules, quiet hours or a pause changed. */
  'attention.changed': AttentionSettings & { rules: AttentionRule[] };
  /** The Electron app's background service (the hub process): sent by its supervisor, not the hub. */
  'service.status': { state: 'running' | 'restarting' | 'failed'; message?: string };
  /** The desktop shell asks the window to show this item (a notification was clicked): sent by the shell, not the hub. */
  'window.openItem': { itemId: string };
}

export type CallName = keyof HubCalls;
export type CallParams<C extends CallName> = HubCalls[C]['params'];
export type CallResult<C extends CallName> = Result<HubCalls[C]['result']>;
export type EventName = keyof HubEvents;

/** Every call once: a call added to HubCalls and missing here (or named twice) fails the typecheck. */
const CALLS: { readonly [C in CallName]: true } = {
  'kinds.list': true,
  'accounts.list': true,
  'accounts.add': true,
  'accounts.update': true,
  'accounts.remove': true,
  'accounts.updatePassword': true,
  'accounts.autoconfig': true,
  'accounts.signInAgain': true,
  'signIn.options': true,
  'signIn.start': true,
  'signIn.wait': true,
  'signIn.cancel': true,
  'inbox.list': true,
  'inbox.search': true,
  'inbox.counts': true,
  'inbox.total': true,
  'item.get': true,
  'item.attachment': true,
  'mail.remoteImagesFrom': true,
  'item.markRead': true,
  'item.markUnread': true,
  'items.triage': true,
  'items.markAllRead': true,
  'items.undo': true,
  'sync.once': true,
  'feeds.importOpml': true,
  'feeds.exportOpml': true,
  'chat.timeline': true,
  'chat.send': true,
  'chat.retry': true,
  'chat.respondToInvite': true,
  'chat.media': true,
  'chat.typing': true,
  'security.status': true,
  'security.setUpCrossSigning': true,
  'security.verifyDevice': true,
  'security.respondToVerification': true,
  'security.setUpBackup': true,
  'security.restoreBackup': true,
  'security.resetBackup': true,
  'mail.prepare': true,
  'mail.send': true,
  'mail.saveDraft': true,
  'mail.closeDraft': true,
  'mail.drafts': true,
  'mail.outbox': true,
  'mail.retry': true,
  'mail.markSent': true,
  'preferences.get': true,
  'preferences.set': true,
  'profile.notices': true,
  'rules.list': true,
  'rules.add': true,
  'rules.update': true,
  'rules.remove': true,
  'rules.move': true,
  'attention.get': true,
  'attention.setQuietHours': true,
  'attention.pause': true,
  'item.why': true,
};

export const CALL_NAMES = Object.keys(CALLS) as readonly CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(CALLS, name);
}

/** What any transport offers: the renderer and the CLI program against this, never a socket. */
export interface HubClient {
  call<C extends CallName>(name: C, params: CallParams<C>): Promise<CallResult<C>>;
  on<E extends EventName>(name: E, listener: (payload: HubEvents[E]) => void): () => void;
}

/** WebSocket and IPC frames. */
export type ClientFrame = { id: number; call: CallName; params: unknown };
export type ServerFrame =
  /** `id` is null when the client's frame had no usable id (not JSON, or no number): the error names why. */
  | { id: number | null; result: Result<unknown> }
  | { event: EventName; payload: unknown };

/** Electron preload channel names; the preload refuses any other. */
export const IPC_CALL_CHANNEL = 'groundswell:call';
export const IPC_EVENT_CHANNEL = 'groundswell:event';
