/**
 * Accounts, items, cached bodies and sync cursors.
 *
 * `items.seq` is the item's place in the inbox: the store assigns it as timestamp × 1024 plus the
 * arrival order within that millisecond, so "newest first" is simply `seq DESC`. Every listing and
 * search walks a rowid-ordered structure (the table, a one-column index whose entries end in seq,
 * or the FTS doclists) and stops after one page, with no sort. `items.id` is the public key.
 * The unread indexes are partial, so they hold only the unread rows a user filters to.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE accounts (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('imap', 'matrix', 'feed')),
      display_name TEXT NOT NULL,
      settings TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX accounts_by_created ON accounts (created_at, id);

    CREATE TABLE items (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      external_id TEXT NOT NULL,
      scope TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('mail', 'chat', 'feed')),
      conversation_key TEXT NOT NULL,
      sender TEXT NOT NULL,
      title TEXT NOT NULL,
      snippet TEXT NOT NULL,
      search_text TEXT,
      timestamp INTEGER NOT NULL,
      unread INTEGER NOT NULL CHECK (unread IN (0, 1)),
      priority INTEGER NOT NULL CHECK (priority IN (0, 1)),
      origin TEXT NOT NULL
    );
    CREATE INDEX items_by_scope ON items (account_id, scope, external_id, unread);
    CREATE INDEX items_by_source ON items (source);
    CREATE INDEX items_by_account ON items (account_id);
    CREATE INDEX items_unread ON items (unread) WHERE unread = 1;
    CREATE INDEX items_unread_by_source ON items (source) WHERE unread = 1;
    CREATE INDEX items_unread_by_account ON items (account_id) WHERE unread = 1;

    CREATE TABLE item_bodies (
      item_id TEXT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
      headers TEXT NOT NULL,
      body_text TEXT NOT NULL,
      fetched_at INTEGER NOT NULL
    );

    -- A cached body is stale once the item it belongs to was edited (a chat message edit).
    CREATE TRIGGER items_edit_drops_body AFTER UPDATE OF sender, title, snippet ON items
    WHEN old.sender IS NOT new.sender OR old.title IS NOT new.title OR old.snippet IS NOT new.snippet
    BEGIN
      DELETE FROM item_bodies WHERE item_id = new.id;
    END;

    CREATE TABLE sync_cursors (
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (account_id, key)
    ) WITHOUT ROWID;
  `);
}
