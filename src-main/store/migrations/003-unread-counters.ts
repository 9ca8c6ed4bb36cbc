/**
 * Unread counts kept as counters per (account, source), maintained by triggers, so the badge
 * query reads a handful of rows instead of counting a third of a million-row table.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE unread_counters (
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      source TEXT NOT NULL,
      unread INTEGER NOT NULL,
      PRIMARY KEY (account_id, source)
    ) WITHOUT ROWID;

    INSERT INTO unread_counters (account_id, source, unread)
      SELECT account_id, source, count(*) FROM items WHERE unread = 1 GROUP BY account_id, source;

    CREATE TRIGGER unread_counters_insert AFTER INSERT ON items WHEN new.unread = 1 BEGIN
      INSERT INTO unread_counters (account_id, source, unread) VALUES (new.account_id, new.source, 1)
        ON CONFLICT (account_id, source) DO UPDATE SET unread = unread + 1;
    END;

    -- On an account cascade the counter row is already gone; the UPDATE then simply matches nothing.
    CREATE TRIGGER unread_counters_delete AFTER DELETE ON items WHEN old.unread = 1 BEGIN
      UPDATE unread_counters SET unread = unread - 1
        WHERE account_id = old.account_id AND source = old.source;
    END;

    CREATE TRIGGER unread_counters_update AFTER UPDATE OF unread, source, account_id ON items
    WHEN old.unread IS NOT new.unread OR old.source IS NOT new.source OR old.account_id IS NOT new.account_id
    BEGIN
      UPDATE unread_counters SET unread = unread - 1
        WHERE old.unread = 1 AND account_id = old.account_id AND source = old.source;
      INSERT INTO unread_counters (account_id, source, unread)
        SELECT new.account_id, new.source, 1 WHERE new.unread = 1
        ON CONFLICT (account_id, source) DO UPDATE SET unread = unread + 1;
    END;
  `);
}
