/**
 * Triage: done, snoozed, starred, deleted or spam, kept in `item_triage`, which connector upserts
 * never write (an upsert still writes `unread` straight through, as before). The server's own facts
 * (a flag set elsewhere) reach it through the hub, never through the upsert.
 *
 * `items` carries two copies kept by triggers from `item_triage` so that every view stays a walk
 * of one index in seq order, one page at a time, at a million rows: `shelf` (0 Inbox, 1 Snoozed,
 * 2 Done, 3 deleted or spam) and `starred`. Unread counters now count the Inbox only.
 *
 * `outbox` holds one row per server action still to send (after Thunderbird's pending_commands):
 * the action, its data as JSON, its attempts and last error. `triage_undo` keeps the last action
 * so that Undo works across a restart and from the CLI.
 *
 * An item keeps its id when its server moves it (an IMAP move gives it a new UID): the external id
 * is unique per account on its own, and upserts find rows by it rather than by the derived id.
 */
import type { Database } from 'better-sqlite3';

const SHELF = (row: 'new') =>
  `CASE WHEN ${row}.removed IS NOT NULL THEN 3 WHEN ${row}.done_at IS NOT NULL THEN 2 WHEN ${row}.snoozed_until IS NOT NULL THEN 1 ELSE 0 END`;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE items ADD COLUMN shelf INTEGER NOT NULL DEFAULT 0 CHECK (shelf BETWEEN 0 AND 3);
    ALTER TABLE items ADD COLUMN starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1));

    CREATE UNIQUE INDEX items_by_external_id ON items (account_id, external_id);
    CREATE INDEX items_by_shelf ON items (shelf);
    CREATE INDEX items_by_shelf_account ON items (shelf, account_id);
    CREATE INDEX items_by_shelf_source ON items (shelf, source);
    CREATE INDEX items_unread_by_shelf ON items (shelf) WHERE unread = 1;
    CREATE INDEX items_unread_by_shelf_account ON items (shelf, account_id) WHERE unread = 1;
    CREATE INDEX items_unread_by_shelf_source ON items (shelf, source) WHERE unread = 1;
    CREATE INDEX items_starred ON items (starred) WHERE starred = 1;

    CREATE TABLE item_triage (
      item_id TEXT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
      -- When it was marked done, and the item's timestamp then: newer activity brings it back.
      done_at INTEGER,
      done_through INTEGER,
      starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
      snoozed_until INTEGER,
      -- The snooze it came back from, shown as "snoozed until 09:00".
      snooze_ended INTEGER,
      removed TEXT CHECK (removed IN ('deleted', 'spam')),
      -- Outbox rows still naming this item.
      pending INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0)
    ) WITHOUT ROWID;
    CREATE INDEX item_triage_by_wake ON item_triage (snoozed_until) WHERE snoozed_until IS NOT NULL;

    CREATE TRIGGER item_triage_insert AFTER INSERT ON item_triage BEGIN
      UPDATE items SET shelf = ${SHELF('new')}, starred = new.starred WHERE id = new.item_id;
    END;
    CREATE TRIGGER item_triage_update AFTER UPDATE ON item_triage BEGIN
      UPDATE items SET shelf = ${SHELF('new')}, starred = new.starred
        WHERE id = new.item_id AND (shelf IS NOT ${SHELF('new')} OR starred IS NOT new.starred);
    END;
    CREATE TRIGGER item_triage_delete AFTER DELETE ON item_triage BEGIN
      UPDATE items SET shelf = 0, starred = 0 WHERE id = old.item_id AND (shelf <> 0 OR starred <> 0);
    END;

    -- A done conversation comes back when something newer arrives in it (a room's latest event
    -- moves its timestamp on), unless an action on it still waits for its server.
    CREATE TRIGGER items_newer_activity_returns AFTER UPDATE OF timestamp ON items
    WHEN new.shelf = 2 AND new.timestamp > old.timestamp
    BEGIN
      UPDATE item_triage SET done_at = NULL, done_through = NULL
        WHERE item_id = new.id AND pending = 0 AND done_through < new.timestamp;
    END;

    DROP TRIGGER unread_counters_insert;
    DROP TRIGGER unread_counters_delete;
    DROP TRIGGER unread_counters_update;

    CREATE TRIGGER unread_counters_insert AFTER INSERT ON items WHEN new.unread = 1 AND new.shelf = 0 BEGIN
      INSERT INTO unread_counters (account_id, source, unread, priority_unread)
        VALUES (new.account_id, new.source, 1, new.priority)
        ON CONFLICT (account_id, source) DO UPDATE
          SET unread = unread + 1, priority_unread = priority_unread + new.priority;
    END;

    CREATE TRIGGER unread_counters_delete AFTER DELETE ON items WHEN old.unread = 1 AND old.shelf = 0 BEGIN
      UPDATE unread_counters SET unread = unread - 1, priority_unread = priority_unread - old.priority
        WHERE account_id = old.account_id AND source = old.source;
    END;

    CREATE TRIGGER unread_counters_update AFTER UPDATE OF unread, priority, source, account_id, shelf ON items
    WHEN old.unread IS NOT new.unread OR old.priority IS NOT new.priority
      OR old.source IS NOT new.source OR old.account_id IS NOT new.account_id
      OR (old.shelf = 0) IS NOT (new.shelf = 0)
    BEGIN
      UPDATE unread_counters SET unread = unread - 1, priority_unread = priority_unread - old.priority
        WHERE old.unread = 1 AND old.shelf = 0 AND account_id = old.account_id AND source = old.source;
      INSERT INTO unread_counters (account_id, source, unread, priority_unread)
        SELECT new.account_id, new.source, 1, new.priority WHERE new.unread = 1 AND new.shelf = 0
        ON CONFLICT (account_id, source) DO UPDATE
          SET unread = unread + 1, priority_unread = priority_unread + new.priority;
    END;

    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      action TEXT NOT NULL,
      data TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      last_attempt_at INTEGER
    );
    CREATE INDEX outbox_by_account ON outbox (account_id, id);

    CREATE TABLE triage_undo (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      value TEXT NOT NULL
    );
  `);
}
