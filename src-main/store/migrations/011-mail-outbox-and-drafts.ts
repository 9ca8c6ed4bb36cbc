/**
 * Answering mail: `mail_outbox` holds each message handed to Send until its server has it and its
 * copy is filed, built once (`raw`, with its Message-ID) so every try sends the very same bytes;
 * `state` says how far it got, which is what makes a crash in the middle safe to resume (see
 * hub/mail-outbox.ts). `mail_drafts` keeps the composer's drafts while they are typed. Both go
 * with their account.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE mail_outbox (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      message_id TEXT NOT NULL,
      raw BLOB NOT NULL,
      sent_copy BLOB,
      envelope TEXT NOT NULL,
      draft TEXT NOT NULL,
      original_item_id TEXT,
      original_flag TEXT CHECK (original_flag IN ('answered', 'forwarded')),
      -- queued: not tried yet or a try that surely failed; sending: a try under way, the message not
      -- yet all out; handed: all out, the answer not yet recorded; unsure: a try cut short after
      -- handed (the user decides); accepted: the server took it, its copy and flag still to do.
      state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'handed', 'unsure', 'accepted')),
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX mail_outbox_by_account ON mail_outbox (account_id, created_at);

    CREATE TABLE mail_drafts (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      -- The Message-ID its copies in the Drafts mailbox carry, so a later save replaces them.
      message_id TEXT NOT NULL,
      draft TEXT NOT NULL,
      saved_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX mail_drafts_by_account ON mail_drafts (account_id, saved_at);
  `);
}
