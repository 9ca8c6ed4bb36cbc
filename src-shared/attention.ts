/**
 * Attention: what the hub decided about each new item (its level and priority, and why), the rules
 * that decide it, quiet hours and pauses, and the notifications it raised. Connectors report facts;
 * the hub's rules engine decides; every surface (window, browser notifications, the Electron tray
 * and badge, the CLI's `watch`) reads these same values.
 */
import type { SourceKind } from './domain.ts';

/** notify: a desktop notification and counts; badge: counts, no banner; silent: stored as read, not counted. */
export type AttentionLevel = 'notify' | 'badge' | 'silent';
export const ATTENTION_LEVELS: readonly AttentionLevel[] = ['notify', 'badge', 'silent'];

/** What a rule matches on; every field given must match (an empty match is "everything"). */
export interface RuleMatch {
  source?: SourceKind;
  accountId?: string;
  /** One conversation (a room, a mailbox, a feed): the items' conversationKey on that account. */
  conversation?: { accountId: string; key: string; name: string };
  /** An exact address or user id ("tom@example.com", "@priya:example.org"), or a domain ("@example.com" / "example.com"). */
  sender?: string;
  /** Words or phrases, case-insensitive, whole word; any one of them matches. */
  keywords?: string[];
  mentionsOnly?: boolean;
  directOnly?: boolean;
  /** Mail only: the mailbox path ("INBOX"). */
  mailbox?: string;
}

export interface AttentionRule {
  id: string;
  /** In the user's words: "Chat: mentions", "Mute Engineering". */
  name: string;
  match: RuleMatch;
  level: AttentionLevel;
  priority: boolean;
  /** One of the defaults users expect (mail INBOX notifies, chat mentions and DMs notify, …); can be changed or moved, not removed. */
  builtIn: boolean;
}

/**
 * A new rule. `conversationOfItem` names the conversation by one of its items (the CLI's
 * `--conversation ITEM_ID`, the pane's "Mute this room"); the hub resolves it into `match.conversation`.
 */
export interface RuleInput {
  name?: string;
  match: Omit<RuleMatch, 'conversation'>;
  conversationOfItem?: string;
  level: AttentionLevel;
  priority?: boolean;
}

/** A daily schedule in local time; start after end spans midnight ("22:00"–"07:00"). */
export interface QuietHours {
  /** "HH:MM", 24-hour. */
  start: string;
  end: string;
  /** Priority items still raise a notification inside quiet hours. */
  priorityBreaksThrough: boolean;
}

export interface AttentionSettings {
  /** null: no quiet hours. */
  quietHours: QuietHours | null;
  /** Notifications are held until this time (ms since the epoch); null: not paused. */
  pausedUntil: number | null;
  /** Notifications held right now, by quiet hours or a pause (counts still move). */
  holding: boolean;
  /** More than this many notifications from one source within a minute become one summary. */
  floodLimit: number;
}

/** Why an item has its level and priority, as the reading pane ("Notified because: …") and `why` show it. */
export interface AttentionReason {
  level: AttentionLevel;
  priority: boolean;
  /** The rule that decided, absent for items that arrived as backlog (not fresh) or before rules existed. */
  ruleId?: string;
  ruleName?: string;
  /** "you were mentioned in Engineering — rule 'Chat: mentions'". */
  text: string;
  /** Whether a notification was raised, and if not, why not ("held by quiet hours", "backlog", "from you"). */
  notified: boolean;
  notNotifiedBecause?: string;
}

/** `item.why`: level, priority and unread state of one item, each with its reason. */
export interface ItemWhy {
  itemId: string;
  reason: AttentionReason;
  unread: boolean;
  /** "Unread: it arrived after you last read Engineering" / "Read: silenced by rule 'Mute CI'". */
  unreadBecause: string;
  /** Counted in the unread badge (unread, in the Inbox view, not silent). */
  counted: boolean;
  /** The sender as rules match it (an address or a user id), for "Mute this sender" / "Always notify for this sender". */
  sender?: string;
  /** The conversation's name, for "Mute this room / feed". */
  conversationName?: string;
}

/**
 * A notification the hub raised: one per conversation, replacing the one before it with the same
 * `group` (an OS notification tag); a flood becomes one with `summary` set.
 */
export interface RaisedNotification {
  itemId: string;
  accountId: string;
  source: SourceKind;
  level: AttentionLevel;
  priority: boolean;
  /** "Priya Raman in Engineering" / "Tom Becker"; "New message" when previews are off. */
  title: string;
  /** "can you confirm the rollout…" / the mail's subject; empty when previews are off. */
  body: string;
  reason: string;
  /** The conversation's name ("Engineering", "INBOX", the feed's title). */
  conversation: string;
  /** Replaces an earlier notification with the same group. */
  group: string;
  /** Set on a flood summary ("12 new messages in #incident-2291"): how many items it stands for. */
  summary?: { count: number };
  at: number;
  /**
   * Whether the desktop shows it (preference desktopNotifications): false still lets the window
   * show its own notice and `watch` print it.
   */
  desktop: boolean;
}
