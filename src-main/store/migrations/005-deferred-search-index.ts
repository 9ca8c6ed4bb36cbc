/**
 * The search index catches up after the inbox instead of inside every insert. Keeping FTS5 current
 * row by row cost three quarters of each insert (a first sync of 100k items spent most of its time
 * there); rows now wait in `search_pending` and the store indexes them oldest first in large slices,
 * which FTS5 writes as a few sequential segments. Search catches the index up before it runs, so it
 * never misses what was stored, and the hub drains the queue in the background between syncs.
 *
 * Deletes and edits still reach the index at once: a removed row must never be found again, and an
 * edited one leaves the index until its new text is indexed.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE search_pending (seq INTEGER PRIMARY KEY);

    DROP TRIGGER items_fts_insert;
    DROP TRIGGER items_fts_delete;
    DROP TRIGGER items_fts_update;

    CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
      INSERT OR IGNORE INTO search_pending (seq) VALUES (new.seq);
    END;

    CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
      DELETE FROM items_fts WHERE rowid = old.seq;
      DELETE FROM search_pending WHERE seq = old.seq;
    END;

    -- seq moves when an item's timestamp changes; the index row must move with it.
    CREATE TRIGGER items_search_update AFTER UPDATE OF seq, sender, title, snippet, search_text ON items
    WHEN old.seq IS NOT new.seq OR old.sender IS NOT new.sender OR old.title IS NOT new.title
      OR old.snippet IS NOT new.snippet OR old.search_text IS NOT new.search_text
    BEGIN
      DELETE FROM items_fts WHERE rowid = old.seq;
      DELETE FROM search_pending WHERE seq = old.seq;
      INSERT OR IGNORE INTO search_pending (seq) VALUES (new.seq);
    END;
  `);
}
