/**
 * What survives a damaged database. The accounts table lives in the same file as the items, so a
 * copy of the account rows is kept beside it (`groundswell-accounts.json`, rewritten whenever
 * accounts change): kinds, names and settings, never a secret (those are in the keychain, keyed by
 * account id, which the copy keeps). When the database cannot be read, it is moved aside with its
 * -wal and -shm (never deleted: it may still be rescued by hand), a fresh one is created, the
 * accounts come back from the copy, and every account syncs again from its server; only what
 * lived in this profile alone (read state of feed entries, cached bodies) is lost.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StoredAccount } from './inbox-store.ts';

/** What happened at open, for the hub to tell the user. */
export interface StoreRecovery {
  /** Where the damaged database went. */
  movedTo: string;
  /** Accounts rebuilt from the copy; each syncs again from its server. */
  accountsRestored: number;
  at: number;
}

export function accountsCopyPath(databasePath: string): string {
  return join(dirname(databasePath), 'groundswell-accounts.json');
}

/** Left by a store that met damage while running, so the next open sets the file aside. */
export function damageMarkerPath(databasePath: string): string {
  return `${databasePath}.damaged`;
}

/** An in-memory database (tests, benches) has no folder to keep a copy in, and nothing to recover. */
function onDisk(databasePath: string): boolean {
  return databasePath !== '' && databasePath !== ':memory:' && !databasePath.startsWith('file::memory:');
}

/** True when a copy exists: a copy on disk is always current (see writeAccountsCopy). */
export function hasAccountsCopy(databasePath: string): boolean {
  return !onDisk(databasePath) || existsSync(accountsCopyPath(databasePath));
}

/**
 * A copy that could not be rewritten (a full disk) is deleted rather than left stale, so the next
 * open, finding none, writes it afresh; the open only has to look whether it exists.
 */
export function writeAccountsCopy(databasePath: string, accounts: readonly StoredAccount[]): void {
  if (!onDisk(databasePath)) return;
  const path = accountsCopyPath(databasePath);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ version: 1, accounts }), { mode: 0o600 });
    // rename is atomic: a crash leaves the old copy or the new one, never half of one.
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    rmSync(path, { force: true });
    throw error;
  }
}

export function readAccountsCopy(databasePath: string): StoredAccount[] {
  try {
    const parsed = JSON.parse(readFileSync(accountsCopyPath(databasePath), 'utf8')) as { accounts?: unknown };
    return Array.isArray(parsed.accounts) ? parsed.accounts.filter(isStoredAccount) : [];
  } catch {
    return [];
  }
}

function isStoredAccount(value: unknown): value is StoredAccount {
  const a = value as Partial<StoredAccount> | null;
  return typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.kind === 'string' &&
    typeof a.displayName === 'string' && typeof a.createdAt === 'number' && typeof a.settingsVersion === 'number';
}

/** Moves the database and its -wal/-shm to `<name>.corrupt-<timestamp>…`; returns the new name. */
export function setAside(databasePath: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let target = `${databasePath}.corrupt-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${databasePath}.corrupt-${stamp}-${n}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(databasePath + suffix)) renameSync(databasePath + suffix, target + suffix);
  }
  rmSync(damageMarkerPath(databasePath), { force: true });
  return target;
}
