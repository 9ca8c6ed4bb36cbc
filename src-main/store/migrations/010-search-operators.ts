/**
 * Search with operators: `from:` finds a sender by name or address, `to:` a recipient, `has:attachment`
 * mail with files, and a chat search finds the message that matched, not just its room.
 *
 * items gains the sender's address, the recipients (names and addresses, one line) and whether the
 * message has attachments. The index is rebuilt with a recipients column and the address beside the
 * sender's name; every stored row is queued again in `search_pending`, which the hub works through in
 * the background (and a search catches up on before it runs), so the upgrade itself stays quick.
 *
 * `chat_messages` holds a room's messages one by one, each indexed in `messages_fts` with the same
 * columns as items_fts (so one MATCH expression serves both); its rows go with their room item.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE items ADD COLUMN sender_address TEXT;
    ALTER TABLE items ADD COLUMN recipients TEXT;
    ALTER TABLE items ADD COLUMN has_attachments INTEGER NOT NULL DEFAULT 0 CHECK (has_attachments IN (0, 1));

    DROP TABLE items_fts;
    CREATE VIRTUAL TABLE items_fts USING fts5 (
      sender, recipients, title, body,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '3'
    );
    -- Merging 8 segments at a time instead of 4 cut the index's share of ingest by a quarter (bench/store.bench.ts).
    INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);
    INSERT OR IGNORE INTO search_pending (seq) SELECT seq FROM items;

    DROP TRIGGER items_search_update;
    CREATE TRIGGER items_search_update
    AFTER UPDATE OF seq, sender, sender_address, recipients, title, snippet, search_text ON items
    WHEN old.seq IS NOT new.seq OR old.sender IS NOT new.sender OR old.sender_address IS NOT new.sender_address
      OR old.recipients IS NOT new.recipients OR old.title IS NOT new.title
      OR old.snippet IS NOT new.snippet OR old.search_text IS NOT new.search_text
    BEGIN
      DELETE FROM items_fts WHERE rowid = old.seq;
      DELETE FROM search_pending WHERE seq = old.seq;
      INSERT OR IGNORE INTO search_pending (seq) VALUES (new.seq);
    END;

    CREATE TABLE chat_messages (
      id INTEGER PRIMARY KEY,
      item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
      message_id TEXT NOT NULL,
      sender TEXT NOT NULL,
      body TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      UNIQUE (item_id, message_id)
    );

    CREATE VIRTUAL TABLE messages_fts USING fts5 (
      sender, recipients, title, body,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '3'
    );
    INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 8);

    CREATE TRIGGER chat_messages_insert AFTER INSERT ON chat_messages BEGIN
      INSERT INTO messages_fts (rowid, sender, recipients, title, body) VALUES (new.id, new.sender, '', '', new.body);
    END;
    CREATE TRIGGER chat_messages_delete AFTER DELETE ON chat_messages BEGIN
      DELETE FROM messages_fts WHERE rowid = old.id;
    END;
    -- An edited message is found by its new text only.
    CREATE TRIGGER chat_messages_update AFTER UPDATE OF sender, body ON chat_messages BEGIN
      DELETE FROM messages_fts WHERE rowid = old.id;
      INSERT INTO messages_fts (rowid, sender, recipients, title, body) VALUES (new.id, new.sender, '', '', new.body);
    END;
  `);
}
