/**
 * Full-text search over sender, title and body (snippet + the connector's extra search text).
 *
 * Contentless with contentless_delete: the text already lives in `items`, so the index stores only
 * the inverted lists, and rows can still be deleted by rowid without handing back the old text.
 * Triggers keep it in step with `items`, including rows deleted by the account cascade. Its rowid
 * is `items.seq`, which grows with the timestamp, so FTS5 hands matches back newest first and a
 * search stops after one page instead of sorting every match. The 3-character prefix index lets a
 * half-typed word stream the same way (see search-text.ts) instead of merging every matching term.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE VIRTUAL TABLE items_fts USING fts5 (
      sender, title, body,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '3'
    );

    INSERT INTO items_fts (rowid, sender, title, body)
      SELECT seq, sender, title, snippet || ' ' || coalesce(search_text, '') FROM items;

    CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
      INSERT INTO items_fts (rowid, sender, title, body)
        VALUES (new.seq, new.sender, new.title, new.snippet || ' ' || coalesce(new.search_text, ''));
    END;

    CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
      DELETE FROM items_fts WHERE rowid = old.seq;
    END;

    -- seq moves when an item's timestamp changes; the index row must move with it.
    CREATE TRIGGER items_fts_update AFTER UPDATE OF seq, sender, title, snippet, search_text ON items
    WHEN old.seq IS NOT new.seq OR old.sender IS NOT new.sender OR old.title IS NOT new.title
      OR old.snippet IS NOT new.snippet OR old.search_text IS NOT new.search_text
    BEGIN
      DELETE FROM items_fts WHERE rowid = old.seq;
      INSERT INTO items_fts (rowid, sender, title, body)
        VALUES (new.seq, new.sender, new.title, new.snippet || ' ' || coalesce(new.search_text, ''));
    END;
  `);
}
