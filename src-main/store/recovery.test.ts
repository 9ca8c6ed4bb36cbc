import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboxStore, type StoredAccount } from './inbox-store.ts';
import { accountsCopyPath, damageMarkerPath, readAccountsCopy } from './recovery.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-recovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mail = (id: string): StoredAccount => ({ id, kind: 'imap', displayName: `Mail ${id}`, createdAt: 1_000, settings: { host: 'imap.example.test', user: 'ada' }, settingsVersion: 1 });

function scribbleHeader(path: string): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
  closeSync(fd);
}

describe('the account copy beside the store', () => {
  it('follows every account change, and an in-memory store writes none', () => {
    const path = join(dir, 'groundswell.sqlite');
    const store = InboxStore.open(path);
    try {
      expect(readAccountsCopy(path)).toEqual([]);
      store.insertAccounts([mail('a'), mail('b')]);
      store.updateAccount({ ...mail('a'), displayName: 'Work' });
      store.deleteAccount('b');
      expect(readAccountsCopy(path)).toEqual([{ ...mail('a'), displayName: 'Work' }]);
      expect(JSON.parse(readFileSync(accountsCopyPath(path), 'utf8'))).toMatchObject({ version: 1 });
    } finally {
      store.close();
    }
    InboxStore.open(':memory:').close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toEqual(['groundswell-accounts.json']);
  });

  it('is made for a profile from before it existed', () => {
    const path = join(dir, 'groundswell.sqlite');
    const store = InboxStore.open(path);
    store.insertAccount(mail('a'));
    store.close();
    rmSync(accountsCopyPath(path));
    InboxStore.open(path).close();
    expect(readAccountsCopy(path).map((a) => a.id)).toEqual(['a']);
  });
});

describe('a store that cannot be read', () => {
  it('is moved aside, and a fresh one has the accounts back', () => {
    const path = join(dir, 'groundswell.sqlite');
    const writer = InboxStore.open(path);
    writer.insertAccount(mail('a'));
    writer.close();
    scribbleHeader(path);

    const store = InboxStore.open(path, () => new Date(Date.UTC(2026, 11, 3, 14, 30, 5)));
    try {
      const moved = join(dir, 'groundswell.sqlite.corrupt-20261203T143005Z');
      expect(store.recovery).toEqual({ movedTo: moved, accountsRestored: 1, at: Date.UTC(2026, 11, 3, 14, 30, 5) });
      expect(readFileSync(moved).subarray(0, 100).every((b) => b === 0x5a)).toBe(true);
      expect(store.listAccounts()).toEqual([mail('a')]);
    } finally {
      store.close();
    }
    const again = InboxStore.open(path);
    expect(again.recovery).toBeUndefined();
    again.close();
  });

  it('is set aside with its -wal and -shm at the next open when a run left the damage marker', () => {
    const live = join(dir, 'live.sqlite');
    const path = join(dir, 'groundswell.sqlite');
    const writer = InboxStore.open(live);
    writer.insertAccount(mail('a'));
    // The files as a crashed process leaves them: the WAL not yet folded into the database.
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(live + suffix, path + suffix);
    writer.close();
    copyFileSync(join(dir, 'groundswell-accounts.json'), accountsCopyPath(path));
    writeFileSync(damageMarkerPath(path), 'found damage\n');
    const reopened = InboxStore.open(path);
    try {
      const moved = reopened.recovery?.movedTo ?? '';
      expect(moved).toMatch(/groundswell\.sqlite\.corrupt-\d{8}T\d{6}Z$/);
      for (const suffix of ['', '-wal', '-shm']) expect(existsSync(moved + suffix), suffix).toBe(true);
      expect(reopened.listAccounts().map((a) => a.id)).toEqual(['a']);
      expect(existsSync(damageMarkerPath(path))).toBe(false);
    } finally {
      reopened.close();
    }
  });
});
