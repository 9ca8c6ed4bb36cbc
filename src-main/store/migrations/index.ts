/**
 * The ordered list of schema migrations. The schema version is `PRAGMA user_version`: migration N
 * brings a database from version N-1 to N. Never edit a shipped migration; add the next one.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from '../store-error.ts';
import { up as initial } from './001-initial.ts';
import { up as search } from './002-search.ts';
import { up as unreadCounters } from './003-unread-counters.ts';
import { up as priorityAndContent } from './004-priority-and-content.ts';
import { up as deferredSearchIndex } from './005-deferred-search-index.ts';
import { up as openKindsAndPreferences } from './006-open-kinds-and-preferences.ts';
import { up as senderWarningAndTextLimits } from './007-sender-warning-and-text-limits.ts';
import { up as triageAndOutbox } from './008-triage-and-outbox.ts';
import { up as attention } from './009-attention.ts';
import { up as searchOperators } from './010-search-operators.ts';
import { up as mailOutboxAndDrafts } from './011-mail-outbox-and-drafts.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
  /** Rebuilds a table others point at: runs with foreign keys off, checked before commit. */
  foreignKeysOff?: true;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial },
  { version: 2, name: 'search', up: search },
  { version: 3, name: 'unread-counters', up: unreadCounters },
  { version: 4, name: 'priority-and-content', up: priorityAndContent },
  { version: 5, name: 'deferred-search-index', up: deferredSearchIndex },
  { version: 6, name: 'open-kinds-and-preferences', up: openKindsAndPreferences, foreignKeysOff: true },
  { version: 7, name: 'sender-warning-and-text-limits', up: senderWarningAndTextLimits },
  { version: 8, name: 'triage-and-outbox', up: triageAndOutbox },
  { version: 9, name: 'attention', up: attention },
  { version: 10, name: 'search-operators', up: searchOperators },
  { version: 11, name: 'mail-outbox-and-drafts', up: mailOutboxAndDrafts },
];

export const LATEST_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs every pending migration up to `target` in one transaction, so a crash midway leaves the
 * profile at the version it had. Refuses a profile written by a newer build rather than guessing.
 */
export function migrate(db: Database, target: number = LATEST_VERSION, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new StoreError(
      'profile-too-new',
      `This profile was written by a newer Groundswell (data version ${current}; this version knows up to ${LATEST_VERSION}). ` +
        'Update Groundswell, or start it with a different profile.',
    );
  }
  const pending = migrations.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return;
  // The pragma is a no-op inside a transaction, so it is switched around it.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  const keysOff = foreignKeys && pending.some((m) => m.foreignKeysOff);
  if (keysOff) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Only what the rebuild itself would break stops it; rows that dangled before are not its business.
      const danglingBefore = keysOff ? (db.pragma('foreign_key_check') as unknown[]).length : 0;
      for (const migration of pending) {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      }
      if (keysOff && (db.pragma('foreign_key_check') as unknown[]).length > danglingBefore) {
        throw new Error(
          'Upgrading the profile would leave items pointing at missing accounts, so nothing was changed. ' +
            'Start this version with a new profile (--profile DIR) and report the problem.',
        );
      }
    })();
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON');
  }
}
