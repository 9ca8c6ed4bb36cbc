/**
 * Items carry the hub's sender warning (a look-alike address), and text stored before the hub cut
 * every field to its limit is cut now: a feed title of a million characters stored by an older
 * version would otherwise ride in every inbox page until the feed changed it.
 *
 * The numbers are hub/text-limits.ts's at the time of writing (a shipped migration never changes).
 * SQLite's substr counts code points, so a cut here may part a letter from an accent; it runs once,
 * on rows that are hostile or broken already.
 */
import type { Database } from 'better-sqlite3';

const LIMITS = { sender: 200, title: 500, snippet: 400, search_text: 20_000, conversation_key: 1_000 } as const;

export function up(db: Database): void {
  db.exec('ALTER TABLE items ADD COLUMN sender_warning TEXT');
  // Cutting a title fires the trigger that drops an edited item's cached body, and a feed entry's
  // body cannot be fetched again: the bodies of the rows about to be cut are kept aside and put back.
  db.exec(`
    CREATE TEMP TABLE bodies_kept AS SELECT * FROM item_bodies WHERE item_id IN (
      SELECT id FROM items WHERE length(sender) > ${LIMITS.sender} OR length(title) > ${LIMITS.title} OR length(snippet) > ${LIMITS.snippet})
  `);
  for (const [column, max] of Object.entries(LIMITS)) {
    db.exec(`UPDATE items SET ${column} = substr(${column}, 1, ${max - 1}) || '…' WHERE length(${column}) > ${max}`);
  }
  db.exec('INSERT OR REPLACE INTO item_bodies SELECT * FROM bodies_kept; DROP TABLE bodies_kept');
  db.exec("UPDATE accounts SET display_name = substr(display_name, 1, 199) || '…' WHERE length(display_name) > 200");
  db.exec("UPDATE item_bodies SET body_text = substr(body_text, 1, 199999) || '…' WHERE length(body_text) > 200000");
}
