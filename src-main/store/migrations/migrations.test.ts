/**
 * Each migration is run against a database left at the previous version with data in it, the way a
 * user's profile arrives after an update.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../store-error.ts';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from './index.ts';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migrations-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Data as version 1 stores it, written with plain SQL so later schema changes cannot rewrite it. */
function seedVersion1(): void {
  db.prepare("INSERT INTO accounts VALUES ('m', 'imap', 'Work mail', '{\"host\":\"imap.example.test\"}', 1)").run();
  db.prepare("INSERT INTO accounts VALUES ('c', 'matrix', 'Team chat', '{}', 2)").run();
  const insert = db.prepare(
    `INSERT INTO items (id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                        search_text, timestamp, unread, priority, origin)
     VALUES (?, ?, ?, 'INBOX', ?, 'conv', ?, ?, ?, ?, ?, ?, 0, '{"kind":"mail"}')`,
  );
  insert.run('m:1', 'm', '1', 'mail', 'Grace Hopper', 'Compiler release', 'ships friday', null, 100, 1);
  insert.run('m:2', 'm', '2', 'mail', 'Ada Lovelace', 'Budget', 'numbers inside', 'spreadsheet', 200, 0);
  insert.run('c:3', 'c', '3', 'chat', 'Linus', '#dev', 'compiler broken', null, 300, 1);
  insert.run('c:4', 'c', '4', 'chat', 'Linus', '#dev', 'fixed now', null, 400, 1);
  db.prepare("INSERT INTO item_bodies (item_id, headers, body_text, fetched_at) VALUES ('m:1', '[]', 'full body', 5)").run();
  db.prepare("INSERT INTO sync_cursors VALUES ('m', 'INBOX', '{\"uidNext\":3}')").run();
}

function itemsSnapshot(): unknown[] {
  return db.prepare('SELECT * FROM items ORDER BY id').all();
}

function ftsMatches(query: string): number[] {
  return db.prepare('SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid').pluck().all(query) as number[];
}

function seqOf(id: string): number {
  return db.prepare('SELECT seq FROM items WHERE id = ?').pluck().get(id) as number;
}

describe('the migration list', () => {
  it('is numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, n) => n + 1));
  });
});

describe('001-initial', () => {
  it('creates the schema on an empty database and records version 1', () => {
    expect(schemaVersion(db)).toBe(0);
    migrate(db, 1);
    expect(schemaVersion(db)).toBe(1);
    seedVersion1();
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(4);
    // The foreign keys it declares cascade from an account to everything under it.
    db.prepare("DELETE FROM accounts WHERE id = 'm'").run();
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM item_bodies').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM sync_cursors').pluck().get()).toBe(0);
  });
});

describe('002-search', () => {
  it('indexes the items already stored and keeps them unchanged', () => {
    migrate(db, 1);
    seedVersion1();
    const before = itemsSnapshot();
    migrate(db, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(itemsSnapshot()).toEqual(before);
    expect(ftsMatches('compiler')).toEqual([seqOf('m:1'), seqOf('c:3')]);
    expect(ftsMatches('spreadsheet')).toEqual([seqOf('m:2')]);
    expect(ftsMatches('hopper')).toEqual([seqOf('m:1')]);
    expect(db.prepare('SELECT count(*) FROM item_bodies').pluck().get()).toBe(1);
    expect(db.prepare("SELECT value FROM sync_cursors WHERE account_id = 'm'").pluck().get()).toBe('{"uidNext":3}');
  });

  it('keeps the index in step with later inserts, edits and deletes', () => {
    migrate(db, 2);
    seedVersion1();
    db.prepare("UPDATE items SET title = 'Interpreter release' WHERE id = 'm:1'").run();
    expect(ftsMatches('interpreter')).toEqual([seqOf('m:1')]);
    expect(ftsMatches('compiler')).toEqual([seqOf('c:3')]);
    db.prepare("DELETE FROM items WHERE id = 'c:3'").run();
    expect(ftsMatches('compiler')).toEqual([]);
  });
});

describe('003-unread-counters', () => {
  const counters = () =>
    db.prepare('SELECT account_id, source, unread FROM unread_counters ORDER BY account_id').all();

  it('starts the counters from the unread items already stored', () => {
    migrate(db, 2);
    seedVersion1();
    const before = itemsSnapshot();
    migrate(db, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(itemsSnapshot()).toEqual(before);
    expect(counters()).toEqual([
      { account_id: 'c', source: 'chat', unread: 2 },
      { account_id: 'm', source: 'mail', unread: 1 },
    ]);
    expect(ftsMatches('compiler')).toEqual([seqOf('m:1'), seqOf('c:3')]);
  });

  it('rolls back as a whole when it fails, leaving the profile at version 2', () => {
    migrate(db, 2);
    seedVersion1();
    db.exec('CREATE TABLE unread_counters (clash INTEGER)');
    expect(() => migrate(db)).toThrow();
    expect(schemaVersion(db)).toBe(2);
    expect(itemsSnapshot()).toHaveLength(4);
  });
});

describe('004-priority-and-content', () => {
  const counters = () =>
    db.prepare('SELECT account_id, source, unread, priority_unread FROM unread_counters ORDER BY account_id').all();

  it('counts the unread priority items already stored and keeps the cached bodies', () => {
    migrate(db, 3);
    seedVersion1();
    db.prepare("UPDATE items SET priority = 1 WHERE id IN ('c:3', 'm:2')").run();
    migrate(db, 4);
    expect(schemaVersion(db)).toBe(4);
    // m:2 is read, so it does not count; c:3 is unread and priority.
    expect(counters()).toEqual([
      { account_id: 'c', source: 'chat', unread: 2, priority_unread: 1 },
      { account_id: 'm', source: 'mail', unread: 1, priority_unread: 0 },
    ]);
    expect(db.prepare("SELECT body_text, content FROM item_bodies WHERE item_id = 'm:1'").get()).toEqual({
      body_text: 'full body',
      content: null,
    });
  });

  it('keeps both counters in step when read state and priority change', () => {
    migrate(db, 4);
    seedVersion1();
    db.prepare("UPDATE items SET priority = 1 WHERE id = 'c:4'").run();
    expect(counters()[0]).toEqual({ account_id: 'c', source: 'chat', unread: 2, priority_unread: 1 });
    db.prepare("UPDATE items SET unread = 0 WHERE id = 'c:4'").run();
    expect(counters()[0]).toEqual({ account_id: 'c', source: 'chat', unread: 1, priority_unread: 0 });
    db.prepare("UPDATE items SET unread = 1, priority = 1 WHERE id = 'c:3'").run();
    expect(counters()[0]).toEqual({ account_id: 'c', source: 'chat', unread: 1, priority_unread: 1 });
    db.prepare("DELETE FROM items WHERE id = 'c:3'").run();
    expect(counters()[0]).toEqual({ account_id: 'c', source: 'chat', unread: 0, priority_unread: 0 });
  });
});

describe('a profile from the future', () => {
  it('is refused with a clear error and left as it was', () => {
    migrate(db);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    let thrown: unknown;
    try {
      migrate(db);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect((thrown as StoreError).code).toBe('profile-too-new');
    expect((thrown as Error).message).toContain('written by a newer Groundswell');
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 5);
  });
});

describe('005-deferred-search-index', () => {
  it('keeps what was indexed searchable and queues later inserts and edits for the index', () => {
    migrate(db, 4);
    seedVersion1();
    const before = itemsSnapshot();
    migrate(db, 5);
    expect(schemaVersion(db)).toBe(5);
    expect(itemsSnapshot()).toEqual(before);
    expect(ftsMatches('compiler')).toEqual([seqOf('m:1'), seqOf('c:3')]);

    const pending = () => db.prepare('SELECT seq FROM search_pending ORDER BY seq').pluck().all();
    expect(pending()).toEqual([]);
    db.prepare(
      `INSERT INTO items (seq, id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                          timestamp, unread, priority, origin)
       VALUES (999000, 'm:9', 'm', '9', 'INBOX', 'mail', 'conv', 'Grace', 'Linker', 'later', 999, 0, 0, '{}')`,
    ).run();
    expect(pending()).toEqual([999000]);
    expect(ftsMatches('linker')).toEqual([]);

    db.prepare("UPDATE items SET title = 'Interpreter release' WHERE id = 'm:1'").run();
    expect(ftsMatches('compiler')).toEqual([seqOf('c:3')]);
    expect(pending()).toEqual([seqOf('m:1'), 999000]);

    db.prepare("DELETE FROM items WHERE id IN ('m:9', 'c:3')").run();
    expect(pending()).toEqual([seqOf('m:1')]);
    expect(ftsMatches('compiler')).toEqual([]);
  });
});
