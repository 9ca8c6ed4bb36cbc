/**
 * Migration 007 against a version-6 profile that an older Groundswell filled with a hostile feed
 * entry: its texts come out within the limits, ordinary rows untouched, and items gain the column
 * for the sender warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './index.ts';

let dir: string;
let db: Database.Database;
const HUGE = 'W'.repeat(1_000_000);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migration-007-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 6);
  db.prepare("INSERT INTO accounts (id, kind, display_name, settings, created_at) VALUES ('f', 'feed', ?, '{}', 1)").run(HUGE);
  const item = db.prepare(
    `INSERT INTO items (id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                        search_text, timestamp, unread, priority, origin)
     VALUES (?, 'f', ?, 'feed', 'feed', ?, ?, ?, ?, ?, ?, 1, 0, '{}')`,
  );
  item.run('f:1', '1', HUGE, HUGE, HUGE, HUGE, HUGE, 100);
  item.run('f:2', '2', 'conv', 'Status', 'Outage resolved', 'all good', null, 200);
  db.prepare("INSERT INTO item_bodies (item_id, headers, body_text, fetched_at) VALUES ('f:1', '[]', ?, 5)").run(HUGE);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('007-sender-warning-and-text-limits', () => {
  it('cuts texts stored before the limits and keeps ordinary rows as they were', () => {
    const ordinary = db.prepare("SELECT * FROM items WHERE id = 'f:2'").get();
    migrate(db, 7);
    expect(schemaVersion(db)).toBe(7);
    const lengths = db
      .prepare("SELECT length(sender) AS sender, length(title) AS title, length(snippet) AS snippet, length(search_text) AS search, length(conversation_key) AS conv FROM items WHERE id = 'f:1'")
      .get();
    expect(lengths).toEqual({ sender: 200, title: 500, snippet: 400, search: 20_000, conv: 1_000 });
    expect(db.prepare("SELECT substr(title, -2) FROM items WHERE id = 'f:1'").pluck().get()).toBe('W…');
    expect(db.prepare("SELECT length(display_name) FROM accounts WHERE id = 'f'").pluck().get()).toBe(200);
    expect(db.prepare("SELECT length(body_text) FROM item_bodies WHERE item_id = 'f:1'").pluck().get()).toBe(200_000);
    expect(db.prepare("SELECT * FROM items WHERE id = 'f:2'").get()).toEqual({ ...(ordinary as object), sender_warning: null });
  });
});
