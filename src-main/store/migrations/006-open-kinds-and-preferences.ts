/**
 * Account kinds become plug-ins: the CHECK that allowed only 'imap', 'matrix' and 'feed' goes, and
 * each account records the version of its settings' shape, so its kind can upgrade old rows and
 * refuse ones written by a newer Groundswell. Rows from before keep version 1.
 *
 * SQLite cannot drop a CHECK in place; the table is rebuilt as its documentation prescribes, with
 * foreign keys off (see `foreignKeysOff` in index.ts) so the items, cursors and counters that
 * point at accounts are neither cascaded away nor left dangling.
 *
 * App preferences get their home: one JSON document with its own version.
 */
import type { Database } from 'better-sqlite3';

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE accounts_new (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
      display_name TEXT NOT NULL,
      settings TEXT NOT NULL,
      settings_version INTEGER NOT NULL DEFAULT 1,
      created_at INTEGER NOT NULL
    );
    INSERT INTO accounts_new (id, kind, display_name, settings, settings_version, created_at)
      SELECT id, kind, display_name, settings, 1, created_at FROM accounts;
    DROP TABLE accounts;
    ALTER TABLE accounts_new RENAME TO accounts;
    CREATE INDEX accounts_by_created ON accounts (created_at, id);

    CREATE TABLE preferences (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL,
      value TEXT NOT NULL
    );
  `);
}
