/**
 * Migration 011 runs against a version-10 profile: its accounts and items stay, and the mail outbox and
 * drafts it adds go with their account.
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
  dir = mkdtempSync(join(tmpdir(), 'groundswell-migration-011-'));
  db = new Database(join(dir, 'profile.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, 10);
  db.prepare('INSERT INTO accounts (id, kind, display_name, settings, settings_version, created_at) VALUES (?, ?, ?, ?, 1, ?)').run('m', 'imap', 'Work mail', '{"host":"imap.example.com"}', 1);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 011', () => {
  it('adds the mail outbox and drafts, and removing an account removes its rows', () => {
    migrate(db, 11);
    expect(schemaVersion(db)).toBe(11);
    expect(db.prepare('SELECT settings FROM accounts WHERE id = ?').get('m')).toEqual({ settings: '{"host":"imap.example.com"}' });
    db.prepare(
      `INSERT INTO mail_outbox (id, account_id, message_id, raw, envelope, draft, state, created_at, updated_at)
       VALUES ('o1', 'm', '<1@x>', x'00', '{}', '{}', 'queued', 1, 1)`,
    ).run();
    db.prepare(`INSERT INTO mail_drafts (id, account_id, message_id, draft, saved_at) VALUES ('d1', 'm', '', '{}', 1)`).run();
    expect(() => db.prepare(`UPDATE mail_outbox SET state = 'lost' WHERE id = 'o1'`).run()).toThrow(/CHECK/);
    db.prepare('DELETE FROM accounts WHERE id = ?').run('m');
    expect(db.prepare('SELECT COUNT(*) AS n FROM mail_outbox').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM mail_drafts').get()).toEqual({ n: 0 });
  });
});
