/**
 * Triage state, the outbox and the last action for Undo, as SQLite holds them (migration 007).
 * The hub decides what the state becomes; this only reads and writes it, each change in one
 * transaction with what goes with it (an outbox row and the items it names, a move and the end of
 * the action that made it), so a crash leaves either all of it or none.
 */
import type Database from 'better-sqlite3';
import type { ItemOrigin, TriageView } from '../../src-shared/domain.ts';

/** The triage columns every item read brings along (see inbox-store.ts). */
export interface TriageColumns {
  starred: number;
  /** JSON [done_at, snoozed_until, snooze_ended, pending], or null for an item never triaged (most). */
  triage: string | null;
}
/**
 * One primary-key probe per row, as a correlated subquery: a LEFT JOIN costs several times more
 * per execution here (measured: 5,000 single-item reads took 295 ms joined, 33 ms this way).
 */
export const TRIAGE_COLUMNS =
  'items.starred, (SELECT json_array(done_at, snoozed_until, snooze_ended, pending) FROM item_triage WHERE item_triage.item_id = items.id) AS triage';

/** The triage fields of an InboxItem from the columns above. */
export function triageFields(row: TriageColumns): { done: boolean; starred: boolean; snoozedUntil: number | null; snoozeEnded: number | null; pending: boolean } {
  const starred = row.starred === 1;
  if (row.triage === null) return { done: false, starred, snoozedUntil: null, snoozeEnded: null, pending: false };
  const [doneAt, snoozedUntil, snoozeEnded, pending] = JSON.parse(row.triage) as [number | null, number | null, number | null, number];
  return { done: doneAt !== null, starred, snoozedUntil, snoozeEnded, pending: pending > 0 };
}

/** Everything the hub keeps about one item's triage, beyond read state (which lives on the item). */
export interface TriageRecord {
  doneAt: number | null;
  /** The item's timestamp when it was done: anything newer brings it back. */
  doneThrough: number | null;
  starred: boolean;
  snoozedUntil: number | null;
  snoozeEnded: number | null;
  removed: 'deleted' | 'spam' | null;
}

export const UNTRIAGED: TriageRecord = { doneAt: null, doneThrough: null, starred: false, snoozedUntil: null, snoozeEnded: null, removed: null };

export function sameRecord(a: TriageRecord, b: TriageRecord): boolean {
  return (
    a.doneAt === b.doneAt &&
    a.doneThrough === b.doneThrough &&
    a.starred === b.starred &&
    a.snoozedUntil === b.snoozedUntil &&
    a.snoozeEnded === b.snoozeEnded &&
    a.removed === b.removed
  );
}

/** What a server says about an item's triage (a flag set in another client). */
export interface TriageFactChange {
  externalId: string;
  starred?: boolean;
  done?: { through: number } | null;
  snoozedUntil?: number | null;
}

export interface OutboxEntry {
  id: number;
  accountId: string;
  action: string;
  data: unknown;
  createdAt: number;
  attempts: number;
  lastError: string | null;
}

/** Where a server moved an item: the item keeps its id, its way back to the server changes. */
export interface Relocation {
  itemId: string;
  externalId: string;
  scope: string;
  origin: ItemOrigin;
}

/** The WHERE clause of a view, and how the inbox query walks it in seq order. */
export function viewFilter(view: TriageView): { where: string; shelf?: number; index?: string } {
  switch (view) {
    case 'inbox':
      return { where: 'items.shelf = 0', shelf: 0 };
    case 'snoozed':
      return { where: 'items.shelf = 1', shelf: 1 };
    case 'done':
      return { where: 'items.shelf = 2', shelf: 2 };
    case 'starred':
      return { where: 'items.starred = 1 AND items.shelf < 3', index: 'items_starred' };
    case 'all':
      return { where: 'items.shelf < 3' };
    default:
      throw new Error(`Unhandled view ${JSON.stringify(view satisfies never)}`);
  }
}

interface TriageRow {
  item_id: string;
  done_at: number | null;
  done_through: number | null;
  starred: number;
  snoozed_until: number | null;
  snooze_ended: number | null;
  removed: 'deleted' | 'spam' | null;
  pending: number;
}

function toRecord(row: TriageRow | undefined): TriageRecord {
  if (row === undefined) return UNTRIAGED;
  return {
    doneAt: row.done_at,
    doneThrough: row.done_through,
    starred: row.starred === 1,
    snoozedUntil: row.snoozed_until,
    snoozeEnded: row.snooze_ended,
    removed: row.removed,
  };
}

const WRITE_RECORD = `
  INSERT INTO item_triage (item_id, done_at, done_through, starred, snoozed_until, snooze_ended, removed)
  SELECT id, @doneAt, @doneThrough, @starred, @snoozedUntil, @snoozeEnded, @removed FROM items WHERE id = @id
  ON CONFLICT (item_id) DO UPDATE SET done_at = excluded.done_at, done_through = excluded.done_through,
    starred = excluded.starred, snoozed_until = excluded.snoozed_until, snooze_ended = excluded.snooze_ended,
    removed = excluded.removed`;

export class TriageStore {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;

  constructor(db: Database.Database, prepare: (sql: string) => Database.Statement) {
    this.#db = db;
    this.#prepare = prepare;
  }

  /** Every id asked for, untriaged ones with the empty record. */
  read(ids: Iterable<string>): Map<string, TriageRecord> {
    const statement = this.#prepare('SELECT * FROM item_triage WHERE item_id = ?');
    const records = new Map<string, TriageRecord>();
    for (const id of ids) records.set(id, toRecord(statement.get(id) as TriageRow | undefined));
    return records;
  }

  /** Writes records (and read state) in one transaction; returns the ids whose triage or read state changed. */
  write(records: Map<string, TriageRecord>, unread?: Map<string, boolean>): string[] {
    return this.#db.transaction(() => this.#write(records, unread))();
  }

  /**
   * Writes records, records the server actions that follow from them in the outbox and counts the
   * items as waiting, all in one transaction.
   */
  writeAndQueue(
    records: Map<string, TriageRecord>,
    unread: Map<string, boolean>,
    entries: { accountId: string; action: string; data: unknown; itemIds: string[] }[],
  ): string[] {
    return this.#db.transaction(() => {
      const changed = this.#write(records, unread);
      const insert = this.#prepare('INSERT INTO outbox (account_id, action, data, created_at) VALUES (?, ?, ?, ?)');
      for (const entry of entries) {
        insert.run(entry.accountId, entry.action, JSON.stringify(entry.data), Date.now());
        this.#countPending(entry.itemIds, 1);
      }
      return changed;
    })();
  }

  /** Server facts for items no action of ours is still changing; returns the ids that changed. */
  applyFacts(accountId: string, facts: TriageFactChange[]): string[] {
    if (facts.length === 0) return [];
    const find = this.#prepare(
      'SELECT items.id, items.timestamp, item_triage.pending FROM items LEFT JOIN item_triage ON item_triage.item_id = items.id ' +
        'WHERE items.account_id = ? AND items.external_id = ?',
    ).raw(true); // rows as arrays: an object row costs better-sqlite3 a compiled row factory per call, a third of this loop
    return this.#db.transaction(() => {
      const updates = new Map<string, TriageRecord>();
      const ids: { id: string; fact: TriageFactChange }[] = [];
      for (const fact of facts) {
        const row = find.get(accountId, fact.externalId) as [id: string, timestamp: number, pending: number | null] | undefined;
        if (row === undefined) continue;
        const [id, timestamp, pending] = row;
        if ((pending ?? 0) > 0) continue;
        // Done up to an older event: something newer arrived since, so the conversation is back.
        if (fact.done && fact.done.through < timestamp) ids.push({ id, fact: { ...fact, done: null } });
        else ids.push({ id, fact });
      }
      const current = this.read(ids.map((i) => i.id));
      for (const { id, fact } of ids) {
        const record = { ...(updates.get(id) ?? current.get(id) ?? UNTRIAGED) };
        if (fact.starred !== undefined) record.starred = fact.starred;
        if (fact.done !== undefined) {
          if (fact.done === null) {
            record.doneAt = null;
            record.doneThrough = null;
          } else if (record.doneAt === null) {
            record.doneAt = Date.now();
            record.doneThrough = fact.done.through;
          }
        }
        if (fact.snoozedUntil !== undefined) record.snoozedUntil = fact.snoozedUntil;
        updates.set(id, record);
      }
      return this.#write(updates);
    })();
  }

  /** The actions still to send, oldest first. */
  outbox(accountId?: string): OutboxEntry[] {
    const rows = (
      accountId === undefined
        ? this.#prepare('SELECT * FROM outbox ORDER BY id').all()
        : this.#prepare('SELECT * FROM outbox WHERE account_id = ? ORDER BY id').all(accountId)
    ) as { id: number; account_id: string; action: string; data: string; created_at: number; attempts: number; last_error: string | null }[];
    return rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      action: row.action,
      data: JSON.parse(row.data) as unknown,
      createdAt: row.created_at,
      attempts: row.attempts,
      lastError: row.last_error,
    }));
  }

  /** The accounts with actions still to send. */
  outboxAccounts(): string[] {
    return this.#prepare('SELECT DISTINCT account_id FROM outbox').pluck().all() as string[];
  }

  attempted(entryId: number, error: string | null): void {
    this.#prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ? WHERE id = ?').run(error, Date.now(), entryId);
  }

  /**
   * The server did the action (or refused it for good): the entry goes, its items stop waiting, and
   * what the server told us (moves, a rollback's records) is written with it.
   */
  finish(entryId: number, itemIds: string[], outcome: { relocations?: Relocation[]; records?: Map<string, TriageRecord>; unread?: Map<string, boolean>; purged?: string[] } = {}): string[] {
    return this.#db.transaction(() => {
      if (this.#prepare('DELETE FROM outbox WHERE id = ?').run(entryId).changes === 0) return [];
      this.#countPending(itemIds, -1);
      for (const move of outcome.relocations ?? []) this.#relocate(move);
      const changed = this.#write(outcome.records ?? new Map(), outcome.unread);
      const purge = this.#prepare('DELETE FROM items WHERE id = ?');
      for (const id of outcome.purged ?? []) purge.run(id);
      return changed;
    })();
  }

  /** The soonest snooze to end, if any. */
  nextWake(): number | undefined {
    return (this.#prepare('SELECT min(snoozed_until) FROM item_triage WHERE snoozed_until IS NOT NULL').pluck().get() as number | null) ?? undefined;
  }

  /** Items whose snooze ended by `now`, with the time it ended. */
  dueSnoozes(now: number): { itemId: string; until: number }[] {
    return (
      this.#prepare('SELECT item_id, snoozed_until FROM item_triage WHERE snoozed_until IS NOT NULL AND snoozed_until <= ? ORDER BY snoozed_until')
        .raw()
        .all(now) as [string, number][]
    ).map(([itemId, until]) => ({ itemId, until }));
  }

  readUndo<T>(): T | undefined {
    const value = this.#prepare('SELECT value FROM triage_undo WHERE id = 1').pluck().get() as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  writeUndo(value: unknown): void {
    if (value === undefined) this.#prepare('DELETE FROM triage_undo WHERE id = 1').run();
    else
      this.#prepare('INSERT INTO triage_undo (id, value) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value').run(
        JSON.stringify(value),
      );
  }

  #write(records: Map<string, TriageRecord>, unread?: Map<string, boolean>): string[] {
    const changed = new Set<string>();
    const current = this.read(records.keys());
    const write = this.#prepare(WRITE_RECORD);
    // An untriaged record with nothing waiting needs no row: the table stays the size of what the user triaged.
    const drop = this.#prepare('DELETE FROM item_triage WHERE item_id = ? AND pending = 0');
    for (const [id, record] of records) {
      if (sameRecord(current.get(id) ?? UNTRIAGED, record)) continue;
      const params = {
        id,
        doneAt: record.doneAt,
        doneThrough: record.doneThrough,
        starred: record.starred ? 1 : 0,
        snoozedUntil: record.snoozedUntil,
        snoozeEnded: record.snoozeEnded,
        removed: record.removed,
      };
      if (sameRecord(record, UNTRIAGED)) {
        if (drop.run(id).changes === 0) write.run(params);
      } else write.run(params);
      changed.add(id);
    }
    if (unread) {
      const setUnread = this.#prepare('UPDATE items SET unread = ? WHERE id = ? AND unread <> ?');
      for (const [id, value] of unread) if (setUnread.run(value ? 1 : 0, id, value ? 1 : 0).changes > 0) changed.add(id);
    }
    return [...changed];
  }

  #countPending(itemIds: string[], by: 1 | -1): void {
    const ensure = this.#prepare('INSERT INTO item_triage (item_id) SELECT id FROM items WHERE id = ? ON CONFLICT (item_id) DO NOTHING');
    const count = this.#prepare('UPDATE item_triage SET pending = max(0, pending + ?) WHERE item_id = ?');
    const drop = this.#prepare(
      'DELETE FROM item_triage WHERE item_id = ? AND pending = 0 AND done_at IS NULL AND starred = 0 AND snoozed_until IS NULL ' +
        'AND snooze_ended IS NULL AND removed IS NULL',
    );
    for (const id of new Set(itemIds)) {
      if (by > 0) ensure.run(id);
      count.run(by, id);
      if (by < 0) drop.run(id);
    }
  }

  #relocate(move: Relocation): void {
    // A sync that saw the message arrive at its new place first stored it as a new row: that row goes, this one moves.
    this.#prepare('DELETE FROM items WHERE account_id = (SELECT account_id FROM items WHERE id = ?) AND external_id = ? AND id <> ?').run(
      move.itemId,
      move.externalId,
      move.itemId,
    );
    this.#prepare('UPDATE items SET external_id = ?, scope = ?, origin = ? WHERE id = ?').run(move.externalId, move.scope, JSON.stringify(move.origin), move.itemId);
  }
}
