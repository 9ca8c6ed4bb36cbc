/**
 * Migration 009 on a version-8 profile with accounts, items and triage: nothing is lost, the
 * defaults users expect are there as rules in their order, and no quiet hours or pause are set.
 * Decisions kept per item go with their item, and rules about an account go with the account.
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
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migration-009-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 8);
  const account = db.prepare('INSERT INTO accounts (id, kind, display_name, settings, settings_version, created_at) VALUES (?, ?, ?, ?, 1, ?)');
  account.run('f', 'feed', 'Status', JSON.stringify({ url: 'https://status.example.com/feed', alertLevel: 'notify', keywords: ['outage'] }), 1);
  account.run('m', 'imap', 'Work mail', '{}', 2);
  db.prepare(
    `INSERT INTO items (id, account_id, external_id, scope, source, conversation_key, sender, title, snippet, timestamp, unread, priority, origin)
     VALUES ('m:INBOX:1:1', 'm', 'INBOX:1:1', 'INBOX', 'mail', 'c', 'Tom', 'Crash', 's', 100, 1, 0, '{}')`,
  ).run();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = (sql: string) => db.prepare(sql).all();

describe('009-attention', () => {
  it('keeps accounts, settings and items, and adds the defaults in order', () => {
    const accounts = all('SELECT id, settings FROM accounts ORDER BY id');
    const items = all('SELECT * FROM items');
    const counters = all('SELECT * FROM unread_counters');
    migrate(db, 9);
    expect(schemaVersion(db)).toBe(9);
    expect(all('SELECT id, settings FROM accounts ORDER BY id')).toEqual(accounts);
    expect(all('SELECT * FROM items')).toEqual(items);
    expect(all('SELECT * FROM unread_counters')).toEqual(counters);
    expect(all('SELECT id, level, priority, built_in FROM attention_rules ORDER BY position')).toEqual([
      { id: 'mail-inbox', level: 'notify', priority: 0, built_in: 1 },
      { id: 'chat-mentions', level: 'notify', priority: 1, built_in: 1 },
      { id: 'chat-direct', level: 'notify', priority: 0, built_in: 1 },
      { id: 'chat-rooms', level: 'badge', priority: 0, built_in: 1 },
      { id: 'feeds', level: 'badge', priority: 0, built_in: 1 },
    ]);
    expect(all('SELECT quiet_start, quiet_end, paused_until FROM attention_settings')).toEqual([{ quiet_start: null, quiet_end: null, paused_until: null }]);
  });

  it('lets decisions go with their item and rules go with their account', () => {
    migrate(db, 9);
    db.prepare(
      "INSERT INTO item_attention (item_id, level, priority, reason, decided_for, facts) VALUES ('m:INBOX:1:1', 'notify', 0, 'it arrived in INBOX', 100, '{}')",
    ).run();
    db.prepare("INSERT INTO attention_rules (id, position, name, match, level, account_id, created_at) VALUES ('r1', 9, 'Mute Work mail', '{\"accountId\":\"m\"}', 'silent', 'm', 5)").run();
    db.prepare('DELETE FROM accounts WHERE id = ?').run('m');
    expect(all('SELECT * FROM item_attention')).toEqual([]);
    expect(all("SELECT id FROM attention_rules WHERE id = 'r1'")).toEqual([]);
    expect(all('SELECT count(*) AS n FROM attention_rules')).toEqual([{ n: 5 }]);
  });
});
