/**
 * Priority items get their own unread counter (the sidebar shows them apart), and cached bodies
 * may carry sanitized formatted content as JSON beside the plain text (feed entries).
 *
 * The counter triggers are replaced as a whole: one row per (account, source) now counts both the
 * unread items and the unread priority items, so a priority flag changing on an unread item moves
 * only the second number.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE unread_counters ADD COLUMN priority_unread INTEGER NOT NULL DEFAULT 0;
    UPDATE unread_counters SET priority_unread = (
      SELECT count(*) FROM items
      WHERE items.account_id = unread_counters.account_id AND items.source = unread_counters.source
        AND items.unread = 1 AND items.priority = 1
    );

    ALTER TABLE item_bodies ADD COLUMN content TEXT;

    DROP TRIGGER unread_counters_insert;
    DROP TRIGGER unread_counters_delete;
    DROP TRIGGER unread_counters_update;

    CREATE TRIGGER unread_counters_insert AFTER INSERT ON items WHEN new.unread = 1 BEGIN
      INSERT INTO unread_counters (account_id, source, unread, priority_unread)
        VALUES (new.account_id, new.source, 1, new.priority)
        ON CONFLICT (account_id, source) DO UPDATE
          SET unread = unread + 1, priority_unread = priority_unread + new.priority;
    END;

    -- On an account cascade the counter row is already gone; the UPDATE then simply matches nothing.
    CREATE TRIGGER unread_counters_delete AFTER DELETE ON items WHEN old.unread = 1 BEGIN
      UPDATE unread_counters SET unread = unread - 1, priority_unread = priority_unread - old.priority
        WHERE account_id = old.account_id AND source = old.source;
    END;

    CREATE TRIGGER unread_counters_update AFTER UPDATE OF unread, priority, source, account_id ON items
    WHEN old.unread IS NOT new.unread OR old.priority IS NOT new.priority
      OR old.source IS NOT new.source OR old.account_id IS NOT new.account_id
    BEGIN
      UPDATE unread_counters SET unread = unread - 1, priority_unread = priority_unread - old.priority
        WHERE old.unread = 1 AND account_id = old.account_id AND source = old.source;
      INSERT INTO unread_counters (account_id, source, unread, priority_unread)
        SELECT new.account_id, new.source, 1, new.priority WHERE new.unread = 1
        ON CONFLICT (account_id, source) DO UPDATE
          SET unread = unread + 1, priority_unread = priority_unread + new.priority;
    END;
  `);
}
