/**
 * Attention: the rules that decide each new item's level and priority, in the order they are
 * tried; quiet hours and a pause; and for each item the decision made about it with its reason
 * (`item.why`). The defaults users expect are rows like any other, so they can be changed and
 * moved (not removed): mail notifies for the INBOX, chat for DMs and mentions (mentions are
 * priority), other room messages and feed entries are counted without a banner.
 *
 * A feed's alert level and keywords stay in its settings, which the hub turns into that feed's own
 * rules (`owner_account`, `owner_key`) at start and whenever the account changes, so nothing stored
 * is lost and the feed's settings form keeps working.
 */
import type { Database } from 'better-sqlite3';

const BUILT_IN = [
  { id: 'mail-inbox', name: 'Mail: Inbox', match: { source: 'mail', mailbox: 'INBOX' }, level: 'notify', priority: 0 },
  { id: 'chat-mentions', name: 'Chat: mentions', match: { source: 'chat', mentionsOnly: true }, level: 'notify', priority: 1 },
  { id: 'chat-direct', name: 'Chat: direct messages', match: { source: 'chat', directOnly: true }, level: 'notify', priority: 0 },
  { id: 'chat-rooms', name: 'Chat: room messages', match: { source: 'chat' }, level: 'badge', priority: 0 },
  { id: 'feeds', name: 'Feeds', match: { source: 'feed' }, level: 'badge', priority: 0 },
] as const;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE attention_rules (
      id TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      name TEXT NOT NULL,
      -- JSON RuleMatch.
      match TEXT NOT NULL,
      level TEXT NOT NULL CHECK (level IN ('notify', 'badge', 'silent')),
      priority INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
      built_in INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
      -- The account the rule is about: it goes with the account.
      account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
      -- Set on rules an account's settings own (a feed's alerts and keywords), with which of them.
      owner_key TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX attention_rules_by_account ON attention_rules (account_id);

    CREATE TABLE attention_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      quiet_start TEXT,
      quiet_end TEXT,
      priority_breaks_through INTEGER NOT NULL DEFAULT 0,
      paused_until INTEGER
    );
    INSERT INTO attention_settings (id) VALUES (1);

    CREATE TABLE item_attention (
      item_id TEXT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
      level TEXT NOT NULL CHECK (level IN ('notify', 'badge', 'silent')),
      priority INTEGER NOT NULL CHECK (priority IN (0, 1)),
      rule_id TEXT,
      rule_name TEXT,
      reason TEXT NOT NULL,
      notified INTEGER NOT NULL DEFAULT 0 CHECK (notified IN (0, 1)),
      not_notified_because TEXT,
      -- The item's timestamp the decision was made for: a room's newer message is decided again.
      decided_for INTEGER NOT NULL,
      -- JSON: the connector's facts the decision rested on (sender, conversation, mentions …).
      facts TEXT NOT NULL
    ) WITHOUT ROWID;
  `);
  const insert = db.prepare('INSERT INTO attention_rules (id, position, name, match, level, priority, built_in, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0)');
  BUILT_IN.forEach((rule, position) => insert.run(rule.id, position, rule.name, JSON.stringify(rule.match), rule.level, rule.priority));
}
