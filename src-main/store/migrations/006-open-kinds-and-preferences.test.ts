/**
 * Migration 006 rebuilds the accounts table that items, cursors and counters point at, so it is
 * run against a version-5 profile with data under every account, the way a user's profile arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, schemaVersion } from './index.ts';
import type { Migration } from './index.ts';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migration-006-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 5);
  seedVersion5();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Written with plain SQL in version 5's columns, so the migration's own code cannot shape it. */
function seedVersion5(): void {
  const account = db.prepare('INSERT INTO accounts (id, kind, display_name, settings, created_at) VALUES (?, ?, ?, ?, ?)');
  account.run('m', 'imap', 'Work mail', '{"host":"imap.example.test","port":993}', 1);
  account.run('c', 'matrix', 'Team chat', '{"userId":"@ada:example.test"}', 2);
  account.run('f', 'feed', 'Status', '{"url":"https://status.example.test/feed"}', 3);
  const item = db.prepare(
    `INSERT INTO items (id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                        search_text, timestamp, unread, priority, origin)
     VALUES (?, ?, ?, 'INBOX', ?, 'conv', ?, ?, 'snippet', NULL, ?, ?, ?, '{}')`,
  );
  item.run('m:1', 'm', '1', 'mail', 'Grace Hopper', 'Compiler release', 100, 1, 1);
  item.run('m:2', 'm', '2', 'mail', 'Ada Lovelace', 'Budget', 200, 0, 0);
  item.run('c:3', 'c', '3', 'chat', 'Linus', '#dev', 300, 1, 0);
  item.run('f:4', 'f', '4', 'feed', 'Status', 'Outage resolved', 400, 1, 0);
  db.prepare("INSERT INTO item_bodies (item_id, headers, body_text, fetched_at) VALUES ('m:1', '[]', 'full body', 5)").run();
  db.prepare("INSERT INTO sync_cursors VALUES ('m', 'INBOX', '{\"uidNext\":3}')").run();
}

const all = (sql: string) => db.prepare(sql).all();
const count = (sql: string) => db.prepare(sql).pluck().get() as number;

describe('006-open-kinds-and-preferences', () => {
  it('keeps every item with its account, and the bodies, cursors and counters beside them', () => {
    const items = all('SELECT * FROM items ORDER BY id');
    const counters = all('SELECT * FROM unread_counters ORDER BY account_id, source');
    migrate(db, 6);
    expect(schemaVersion(db)).toBe(6);
    expect(all('SELECT * FROM items ORDER BY id')).toEqual(items);
    expect(all('SELECT items.id, accounts.display_name FROM items JOIN accounts ON accounts.id = items.account_id ORDER BY items.id')).toEqual([
      { id: 'c:3', display_name: 'Team chat' },
      { id: 'f:4', display_name: 'Status' },
      { id: 'm:1', display_name: 'Work mail' },
      { id: 'm:2', display_name: 'Work mail' },
    ]);
    expect(all('SELECT * FROM unread_counters ORDER BY account_id, source')).toEqual(counters);
    expect(count("SELECT count(*) FROM item_bodies WHERE item_id = 'm:1'")).toBe(1);
    expect(db.prepare("SELECT value FROM sync_cursors WHERE account_id = 'm'").pluck().get()).toBe('{"uidNext":3}');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('records settings version 1 for every account and keeps what it had', () => {
    migrate(db, 6);
    expect(all('SELECT id, kind, display_name, settings, settings_version, created_at FROM accounts ORDER BY created_at')).toEqual([
      { id: 'm', kind: 'imap', display_name: 'Work mail', settings: '{"host":"imap.example.test","port":993}', settings_version: 1, created_at: 1 },
      { id: 'c', kind: 'matrix', display_name: 'Team chat', settings: '{"userId":"@ada:example.test"}', settings_version: 1, created_at: 2 },
      { id: 'f', kind: 'feed', display_name: 'Status', settings: '{"url":"https://status.example.test/feed"}', settings_version: 1, created_at: 3 },
    ]);
  });

  it('lets a kind it has never heard of in, but not a kind without a name', () => {
    const plugIn = "INSERT INTO accounts (id, kind, display_name, settings, created_at) VALUES ('cal', 'caldav', 'Calendar', '{}', 4)";
    expect(() => db.prepare(plugIn).run()).toThrow(/CHECK constraint/);
    migrate(db, 6);
    db.prepare(plugIn).run();
    expect(db.prepare("SELECT settings_version FROM accounts WHERE id = 'cal'").pluck().get()).toBe(1);
    expect(() => db.prepare("INSERT INTO accounts (id, kind, display_name, settings, created_at) VALUES ('x', '', 'Nameless', '{}', 5)").run()).toThrow(
      /CHECK constraint/,
    );
  });

  it('still removes everything under an account deleted afterwards', () => {
    migrate(db, 6);
    db.prepare("DELETE FROM accounts WHERE id = 'm'").run();
    expect(all('SELECT id FROM items ORDER BY id')).toEqual([{ id: 'c:3' }, { id: 'f:4' }]);
    expect(count('SELECT count(*) FROM item_bodies')).toBe(0);
    expect(count('SELECT count(*) FROM sync_cursors')).toBe(0);
    expect(count("SELECT count(*) FROM unread_counters WHERE account_id = 'm'")).toBe(0);
  });

  it('adds a preferences table that holds one document', () => {
    expect(count("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'preferences'")).toBe(0);
    migrate(db, 6);
    db.prepare('INSERT INTO preferences (id, version, value) VALUES (1, 1, ?)').run('{"theme":"dark"}');
    expect(db.prepare('SELECT version, value FROM preferences').get()).toEqual({ version: 1, value: '{"theme":"dark"}' });
    expect(() => db.prepare("INSERT INTO preferences (id, version, value) VALUES (2, 1, '{}')").run()).toThrow(/CHECK constraint/);
  });

  it('does not let a row that dangled before stop the upgrade, and leaves it reported as dangling', () => {
    // Only a profile edited with foreign keys off could hold such a row; the rebuild neither blesses nor hides it.
    db.pragma('foreign_keys = OFF');
    db.prepare("INSERT INTO sync_cursors VALUES ('gone', 'INBOX', '{}')").run();
    db.pragma('foreign_keys = ON');
    migrate(db, 6);
    expect(schemaVersion(db)).toBe(6);
    expect(count('SELECT count(*) FROM items')).toBe(4);
    expect(db.pragma('foreign_key_check')).toEqual([expect.objectContaining({ table: 'sync_cursors', parent: 'accounts' })]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuses a rebuild that would leave items without their account, and stays at version 5', () => {
    const broken: Migration = { version: 6, name: 'broken', foreignKeysOff: true, up: (d) => void d.exec('DELETE FROM accounts') };
    expect(() => migrate(db, 6, [...MIGRATIONS.slice(0, 5), broken])).toThrow(/pointing at missing accounts, so nothing was changed/);
    expect(schemaVersion(db)).toBe(5);
    expect(count('SELECT count(*) FROM accounts')).toBe(3);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
