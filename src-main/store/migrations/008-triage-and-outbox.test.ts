/**
 * Migration 008 runs against a version-7 profile with read and unread items under several accounts:
 * nothing is lost, the counters still agree, and from then on triage lives apart from the item row
 * that upserts rewrite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './index.ts';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migration-008-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 7);
  seedVersion7();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Plain SQL in version 7's columns, so the migration's own code cannot shape it. */
function seedVersion7(): void {
  const account = db.prepare('INSERT INTO accounts (id, kind, display_name, settings, settings_version, created_at) VALUES (?, ?, ?, ?, 1, ?)');
  account.run('m', 'imap', 'Work mail', '{}', 1);
  account.run('c', 'matrix', 'Team chat', '{}', 2);
  const item = db.prepare(
    `INSERT INTO items (id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                        search_text, timestamp, unread, priority, origin)
     VALUES (?, ?, ?, ?, ?, 'conv', 'Ada', ?, 'snippet', NULL, ?, ?, ?, '{}')`,
  );
  item.run('m:INBOX:1:1', 'm', 'INBOX:1:1', 'INBOX', 'mail', 'Budget', 100, 1, 1);
  item.run('m:INBOX:1:2', 'm', 'INBOX:1:2', 'INBOX', 'mail', 'Lunch', 200, 0, 0);
  item.run('c:!r', 'c', '!r', '!r', 'chat', '#dev', 300, 1, 0);
}

const all = (sql: string) => db.prepare(sql).all();
const one = (sql: string) => db.prepare(sql).pluck().get();
const counters = () => all('SELECT account_id, source, unread, priority_unread FROM unread_counters ORDER BY account_id');

function triage(itemId: string, columns: string): void {
  db.prepare(`INSERT INTO item_triage (item_id, ${columns.split('=')[0]}) VALUES (?, ${columns.split('=')[1]})`).run(itemId);
}

describe('008-triage-and-outbox', () => {
  it('keeps every item and counter, with everything in the Inbox and nothing triaged', () => {
    const before = counters();
    migrate(db, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(all('SELECT id, shelf, starred FROM items ORDER BY id')).toEqual([
      { id: 'c:!r', shelf: 0, starred: 0 },
      { id: 'm:INBOX:1:1', shelf: 0, starred: 0 },
      { id: 'm:INBOX:1:2', shelf: 0, starred: 0 },
    ]);
    expect(counters()).toEqual(before);
    expect(one('SELECT count(*) FROM item_triage')).toBe(0);
    expect(one('SELECT count(*) FROM outbox')).toBe(0);
  });

  it('moves an item between views by its triage row, and counts only unread Inbox items', () => {
    migrate(db, 8);
    triage('m:INBOX:1:1', 'done_at=5');
    expect(one("SELECT shelf FROM items WHERE id = 'm:INBOX:1:1'")).toBe(2);
    expect(one("SELECT unread FROM unread_counters WHERE account_id = 'm'")).toBe(0);
    expect(one("SELECT priority_unread FROM unread_counters WHERE account_id = 'm'")).toBe(0);
    db.prepare("UPDATE item_triage SET done_at = NULL, snoozed_until = 9 WHERE item_id = 'm:INBOX:1:1'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'm:INBOX:1:1'")).toBe(1);
    db.prepare("UPDATE item_triage SET removed = 'spam' WHERE item_id = 'm:INBOX:1:1'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'm:INBOX:1:1'")).toBe(3);
    db.prepare("DELETE FROM item_triage WHERE item_id = 'm:INBOX:1:1'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'm:INBOX:1:1'")).toBe(0);
    expect(one("SELECT unread FROM unread_counters WHERE account_id = 'm'")).toBe(1);
    expect(one("SELECT priority_unread FROM unread_counters WHERE account_id = 'm'")).toBe(1);
  });

  it('leaves triage alone when a sync rewrites the item, and lets a moved item keep its id', () => {
    migrate(db, 8);
    triage('m:INBOX:1:2', 'starred=1');
    db.prepare("UPDATE items SET title = 'Lunch?', unread = 1 WHERE id = 'm:INBOX:1:2'").run();
    expect(one("SELECT starred FROM items WHERE id = 'm:INBOX:1:2'")).toBe(1);
    db.prepare("UPDATE items SET external_id = 'Archive:7:40', scope = 'Archive' WHERE id = 'm:INBOX:1:2'").run();
    expect(() => db.prepare("UPDATE items SET external_id = 'Archive:7:40' WHERE id = 'm:INBOX:1:1'").run()).toThrow(/UNIQUE/);
  });

  it('brings a done room back when newer activity arrives, unless an action on it still waits', () => {
    migrate(db, 8);
    db.prepare("INSERT INTO item_triage (item_id, done_at, done_through) VALUES ('c:!r', 1, 300)").run();
    db.prepare("UPDATE items SET timestamp = 300, title = 'same time' WHERE id = 'c:!r'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'c:!r'")).toBe(2);
    db.prepare("UPDATE item_triage SET pending = 1 WHERE item_id = 'c:!r'").run();
    db.prepare("UPDATE items SET timestamp = 400 WHERE id = 'c:!r'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'c:!r'")).toBe(2);
    db.prepare("UPDATE item_triage SET pending = 0 WHERE item_id = 'c:!r'").run();
    db.prepare("UPDATE items SET timestamp = 500 WHERE id = 'c:!r'").run();
    expect(one("SELECT shelf FROM items WHERE id = 'c:!r'")).toBe(0);
    expect(one("SELECT unread FROM unread_counters WHERE account_id = 'c'")).toBe(1);
  });

  it('removes triage rows and outbox entries with their item and account', () => {
    migrate(db, 8);
    triage('m:INBOX:1:1', 'starred=1');
    db.prepare("INSERT INTO outbox (account_id, action, data, created_at) VALUES ('m', 'star', '{}', 1)").run();
    db.prepare("DELETE FROM accounts WHERE id = 'm'").run();
    expect(one('SELECT count(*) FROM item_triage')).toBe(0);
    expect(one('SELECT count(*) FROM outbox')).toBe(0);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});
