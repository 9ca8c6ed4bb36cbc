/**
 * SQLite's own failures that the user can act on, in words: a full disk, and a damaged file. Both
 * come out of better-sqlite3 as a SqliteError whose `code` names the primary result code (extended
 * codes such as SQLITE_CORRUPT_VTAB start with it).
 */
import { dirname } from 'node:path';
import { StoreError } from './store-error.ts';

function sqliteCode(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

export function isDiskFull(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

export function isDamaged(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

export function diskFullError(databasePath: string, cause: unknown): StoreError {
  return new StoreError(
    'disk-full',
    `The disk holding your Groundswell profile (${dirname(databasePath)}) is full, so new mail, messages and changes cannot be saved. ` +
      'Free some space on that disk; Groundswell carries on where it stopped, and nothing saved so far is lost.',
    { cause },
  );
}

export function damagedError(databasePath: string, cause: unknown): StoreError {
  return new StoreError(
    'damaged',
    `Groundswell's database (${databasePath}) is damaged. Quit and start Groundswell again: it sets the damaged file aside, ` +
      'keeps your accounts and fetches your mail, chats and feeds from their servers again.',
    { cause },
  );
}
