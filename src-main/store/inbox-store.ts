/**
 * The inbox as SQLite holds it: accounts, items, cached bodies, sync cursors, search and unread
 * counts. The only code in the app that touches SQLite; the hub is its one caller.
 *
 * Newest first means `seq DESC`: seq is timestamp × 1024 + arrival order within the millisecond
 * (see migrations/001-initial.ts). Pages continue from a keyset cursor holding the last seq, so the
 * page after row 500,000 costs what the first one does. Items with the same timestamp come newest
 * arrival first, which keeps a burst of chat messages sent in one second in the order they came.
 */
import Database from 'better-sqlite3';
import type { InboxItem, ItemOrigin, SenderWarning, SourceKind, TriageState } from '../../src-shared/domain.ts';
import type { RichNode } from '../../src-shared/rich-text.ts';
import type { InboxFilter, InboxPage, InboxQuery, SearchHit, SearchQuery, SearchResults, UnreadCounts } from '../../src-shared/api.ts';
import { matchRanges } from '../../src-shared/search-match.ts';
import { migrate } from './migrations/index.ts';
import { damageMarkerPath, hasAccountsCopy, readAccountsCopy, setAside, writeAccountsCopy } from './recovery.ts';
import type { StoreRecovery } from './recovery.ts';
import { candidateQueries, mergeCandidates, rankCandidates } from './search-plan.ts';
import type { Candidate, CandidateRow } from './search-plan.ts';
import { highlightTerms, isEmptySearch, parseSearch } from './search-syntax.ts';
import type { ParsedSearch } from './search-syntax.ts';
import { hasWordPrefix, searchSnippet } from './search-snippet.ts';
import { damagedError, diskFullError, isDamaged, isDiskFull } from './sqlite-failures.ts';
import { StoreError } from './store-error.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { MailStore } from './mail-store.ts';
import { TRIAGE_COLUMNS, triageFields, TriageStore, viewFilter } from './triage-store.ts';
import type { TriageColumns } from './triage-store.ts';
import { AttentionStore } from './attention-store.ts';

/** An item as the store holds it, with its triage state. */
export interface StoredItem extends InboxItem {
  externalId: string;
  scope: string;
  searchText?: string;
  /** Searched by from: beside the sender's name. */
  senderAddress?: string;
  /** Names and addresses the mail went to, one line; searched by to:. */
  recipients?: string;
  hasAttachments?: boolean;
}

/** One chat message of a room, searchable on its own; an empty body takes it out of search (redacted). */
export interface SearchableMessage {
  id: string;
  sender: string;
  body: string;
  timestamp: number;
}

/** An item as a connector's upsert writes it: its triage state is the hub's, never the upsert's. */
export type NewItem = Omit<StoredItem, keyof TriageState> & {
  /** A room's messages as the connector last saw them (chat); added to the ones stored before. */
  messages?: SearchableMessage[];
};

export interface StoredBody {
  headers: { name: string; value: string }[];
  bodyText: string;
  content?: RichNode[];
  fetchedAt: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

interface ItemRow extends TriageColumns {
  seq: number;
  id: string;
  account_id: string;
  external_id: string;
  scope: string;
  source: SourceKind;
  conversation_key: string;
  sender: string;
  title: string;
  snippet: string;
  search_text: string | null;
  timestamp: number;
  unread: number;
  priority: number;
  origin: string;
  sender_warning: string | null;
  sender_address: string | null;
  recipients: string | null;
  has_attachments: number;
}

interface AccountRow {
  id: string;
  kind: string;
  display_name: string;
  settings: string;
  settings_version: number;
  created_at: number;
}

/**
 * An account as stored: its settings are its kind's to decode (with defaults, upgrading
 * `settingsVersion`), so the store never needs to know what a kind keeps.
 */
export interface StoredAccount {
  id: string;
  kind: string;
  displayName: string;
  createdAt: number;
  settings: unknown;
  settingsVersion: number;
}

const ITEM_COLUMNS =
  'items.seq, items.id, items.account_id, items.external_id, items.scope, items.source, items.conversation_key, items.sender, ' +
  'items.title, items.snippet, items.search_text, items.timestamp, items.unread, items.priority, items.origin, items.sender_warning, ' +
  'items.sender_address, items.recipients, items.has_attachments, ' +
  TRIAGE_COLUMNS;

/** Slots per millisecond in seq; past 1024 items in one millisecond, seq falls back to the end. */
const SEQ_SLOTS = 1024;
/**
 * FTS5 buffers a transaction's terms in memory only while rowids grow; a smaller rowid flushes
 * the buffer into a new segment. Syncs arrive newest first, so without this every row would become
 * its own segment and ingest would run several times slower. The sort is stable: items sharing a
 * millisecond keep their arrival order, which is their order in seq.
 */
function oldestFirst<T extends NewItem>(items: readonly T[]): T[] {
  return items.toSorted((a, b) => a.timestamp - b.timestamp);
}

/** Keeps timestamp × 1024 inside a JavaScript safe integer (until the year 2248). */
const MAX_SEQ_TIMESTAMP = Math.floor(Number.MAX_SAFE_INTEGER / SEQ_SLOTS) - 1;

const UPSERT_ITEM = `
  INSERT INTO items (seq, id, account_id, external_id, scope, source, conversation_key, sender, title, snippet,
                     search_text, timestamp, unread, priority, origin, sender_warning, sender_address, recipients,
                     has_attachments)
  VALUES (
    (SELECT CASE WHEN last IS NULL THEN @base WHEN last + 1 < @base + ${SEQ_SLOTS} THEN last + 1
                 ELSE (SELECT max(seq) + 1 FROM items) END
       FROM (SELECT max(seq) AS last FROM items WHERE seq >= @base AND seq < @base + ${SEQ_SLOTS})),
    @id, @accountId, @externalId, @scope, @source, @conversationKey, @sender, @title, @snippet,
    @searchText, @timestamp, @unread, @priority, @origin, @senderWarning, @senderAddress, @recipients, @hasAttachments)
  ON CONFLICT (account_id, external_id) DO UPDATE SET
    seq = CASE WHEN items.timestamp IS NOT excluded.timestamp THEN excluded.seq ELSE items.seq END,
    scope = excluded.scope, source = excluded.source, conversation_key = excluded.conversation_key,
    sender = excluded.sender, title = excluded.title, snippet = excluded.snippet,
    search_text = excluded.search_text, timestamp = excluded.timestamp, unread = excluded.unread,
    priority = excluded.priority, origin = excluded.origin, sender_warning = excluded.sender_warning,
    sender_address = excluded.sender_address, recipients = excluded.recipients, has_attachments = excluded.has_attachments
  WHERE items.scope IS NOT excluded.scope OR items.source IS NOT excluded.source
    OR items.conversation_key IS NOT excluded.conversation_key OR items.sender IS NOT excluded.sender
    OR items.title IS NOT excluded.title OR items.snippet IS NOT excluded.snippet
    OR items.search_text IS NOT excluded.search_text OR items.timestamp IS NOT excluded.timestamp
    OR items.unread IS NOT excluded.unread OR items.priority IS NOT excluded.priority
    OR items.origin IS NOT excluded.origin OR items.sender_warning IS NOT excluded.sender_warning
    OR items.sender_address IS NOT excluded.sender_address OR items.recipients IS NOT excluded.recipients
    OR items.has_attachments IS NOT excluded.has_attachments
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

/** Slices a search indexes itself before it runs on what is indexed: about half a second. */
const SEARCH_CATCH_UP_SLICES = 16;

/** Rows the search index takes in one transaction: about 30 ms of work, short enough to run between events. */
export const SEARCH_INDEX_SLICE = 1_000;

// Oldest first, so each slice appends rowids in order and FTS5 writes one sequential segment.
const INDEX_PENDING = `
  INSERT INTO items_fts (rowid, sender, recipients, title, body)
    SELECT seq, sender || ' ' || coalesce(sender_address, ''), coalesce(recipients, ''), title,
           snippet || ' ' || coalesce(search_text, '') FROM items
    WHERE seq IN (SELECT seq FROM search_pending ORDER BY seq LIMIT @limit) ORDER BY seq`;
const DROP_INDEXED = 'DELETE FROM search_pending WHERE seq IN (SELECT seq FROM search_pending ORDER BY seq LIMIT @limit)';

// A message seen again keeps its row; an edit rewrites it (and its index row, by trigger).
const PUT_MESSAGE = `
  INSERT INTO chat_messages (item_id, message_id, sender, body, timestamp)
    SELECT id, @messageId, @sender, @body, @timestamp FROM items WHERE account_id = @accountId AND external_id = @externalId
  ON CONFLICT (item_id, message_id) DO UPDATE SET sender = excluded.sender, body = excluded.body, timestamp = excluded.timestamp
    WHERE chat_messages.sender IS NOT excluded.sender OR chat_messages.body IS NOT excluded.body
      OR chat_messages.timestamp IS NOT excluded.timestamp`;
const DROP_MESSAGE =
  'DELETE FROM chat_messages WHERE message_id = @messageId AND item_id = (SELECT id FROM items WHERE account_id = @accountId AND external_id = @externalId)';

const PUT_BODY =
  'INSERT INTO item_bodies (item_id, headers, body_text, content, fetched_at) ' +
  'SELECT id, ?, ?, ?, ? FROM items WHERE id = ? ' +
  'ON CONFLICT (item_id) DO UPDATE SET headers = excluded.headers, body_text = excluded.body_text, ' +
  'content = excluded.content, fetched_at = excluded.fetched_at';

function bodyParams(itemId: string, body: StoredBody): [string, string, string | null, number, string] {
  return [
    JSON.stringify(body.headers),
    body.bodyText,
    body.content === undefined ? null : JSON.stringify(body.content),
    body.fetchedAt,
    itemId,
  ];
}

export class InboxStore {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #statements = new Map<string, Database.Statement>();
  /** Set when this open found the database damaged and started afresh (see recovery.ts). */
  readonly recovery: StoreRecovery | undefined;
  /** Done, star, snooze, delete, the outbox and undo (triage-store.ts). */
  readonly triage: TriageStore;
  /** The mail outbox and the composer's drafts (mail-store.ts). */
  readonly mail: MailStore;
  /** Attention rules, quiet hours and each item's decision (attention-store.ts). */
  readonly attention: AttentionStore;

  private constructor(db: Database.Database, path: string, recovery: StoreRecovery | undefined) {
    this.#db = db;
    this.#path = path;
    this.recovery = recovery;
    this.triage = new TriageStore(db, (sql) => this.#prepare(sql));
    this.mail = new MailStore(db, (sql) => this.#prepare(sql));
    this.attention = new AttentionStore(db, (sql) => this.#prepare(sql), (run) => this.#guard(run));
  }

  /**
   * Opens (or creates) the profile database and brings its schema up to date. A database SQLite
   * cannot read (or one a previous run found damaged) is set aside and replaced by a fresh one with
   * the accounts from their copy; a full disk is a StoreError('disk-full').
   */
  static open(path: string, now: () => Date = () => new Date()): InboxStore {
    let db: Database.Database;
    try {
      if (existsSync(damageMarkerPath(path))) throw damagedError(path, new Error('a previous run found the database damaged'));
      db = openDatabase(path);
    } catch (error) {
      if (isDiskFull(error)) throw diskFullError(path, error);
      if (!isDamaged(error) && !(error instanceof StoreError && error.code === 'damaged')) throw error;
      const at = now();
      const movedTo = setAside(path, at);
      db = openDatabase(path);
      const accounts = readAccountsCopy(path);
      const store = new InboxStore(db, path, { movedTo, accountsRestored: accounts.length, at: at.getTime() });
      store.insertAccounts(accounts);
      return store;
    }
    const store = new InboxStore(db, path, undefined);
    // A profile from before the copy existed (or whose last copy could not be written) gets one now.
    if (!hasAccountsCopy(path)) store.#guard(() => writeAccountsCopy(path, store.listAccounts()));
    return store;
  }

  close(): void {
    if (!this.#db.open) return;
    // Lets SQLite refresh its planner statistics for the next start; cheap when nothing changed.
    this.#db.pragma('optimize');
    this.#db.close();
  }

  // ---- accounts ---------------------------------------------------------------------------

  listAccounts(): StoredAccount[] {
    const rows = this.#guard(() => this.#prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as AccountRow[]);
    return rows.map(toStoredAccount);
  }

  getAccount(id: string): StoredAccount | undefined {
    const row = this.#guard(() => this.#prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined);
    return row === undefined ? undefined : toStoredAccount(row);
  }

  insertAccount(account: StoredAccount): void {
    this.insertAccounts([account]);
  }

  /** Several accounts in one transaction (an OPML import of thousands of feeds). */
  insertAccounts(accounts: readonly StoredAccount[]): void {
    const insert = this.#prepare(
      'INSERT INTO accounts (id, kind, display_name, settings, settings_version, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#accountsChanging(() => {
      for (const a of accounts) insert.run(a.id, a.kind, a.displayName, JSON.stringify(a.settings), a.settingsVersion, a.createdAt);
    });
  }

  updateAccount(account: StoredAccount): void {
    this.#accountsChanging(() => {
      const result = this.#prepare(
        'UPDATE accounts SET kind = ?, display_name = ?, settings = ?, settings_version = ?, created_at = ? WHERE id = ?',
      ).run(account.kind, account.displayName, JSON.stringify(account.settings), account.settingsVersion, account.createdAt, account.id);
      if (result.changes === 0) throw new StoreError('not-found', `No account with id ${account.id}.`);
    });
  }

  /** Items, bodies, cursors, counters and search rows go with it (foreign-key cascade + triggers). */
  deleteAccount(id: string): void {
    this.#accountsChanging(() => this.#prepare('DELETE FROM accounts WHERE id = ?').run(id));
  }

  // ---- items ------------------------------------------------------------------------------

  /**
   * Inserts new items and rewrites changed ones; returns how many rows were inserted or changed.
   * An item may carry its body (feed entries): it is written in the same transaction, and only when
   * the item itself was new or changed, so a poll that re-sends a thousand unchanged entries writes nothing.
   */
  upsertItems(items: (NewItem & { body?: StoredBody })[]): number {
    if (items.length === 0) return 0;
    const statement = this.#prepare(UPSERT_ITEM);
    const putBody = this.#prepare(PUT_BODY);
    return this.#guard(() => this.#db.transaction(() => {
      let changed = 0;
      for (const item of oldestFirst(items)) {
        // Only an inserted or changed row comes back, with its id: a row the server moved keeps its first one.
        const written = statement.get({
          base: seqBase(item.timestamp),
          id: itemId(item.accountId, item.externalId),
          accountId: item.accountId,
          externalId: item.externalId,
          scope: item.scope,
          source: item.source,
          conversationKey: item.conversationKey,
          sender: item.sender,
          title: item.title,
          snippet: item.snippet,
          searchText: item.searchText ?? null,
          timestamp: item.timestamp,
          unread: item.unread ? 1 : 0,
          priority: item.priority ? 1 : 0,
          origin: JSON.stringify(item.origin),
          senderWarning: item.senderWarning ? JSON.stringify(item.senderWarning) : null,
          senderAddress: item.senderAddress ?? null,
          recipients: item.recipients ?? null,
          hasAttachments: item.hasAttachments === true ? 1 : 0,
        }) as { id: string } | undefined;
        if (item.messages !== undefined) this.#putMessages(item.accountId, item.externalId, item.messages);
        if (written === undefined) continue;
        changed += 1;
        if (item.body !== undefined) putBody.run(...bodyParams(written.id, item.body));
      }
      return changed;
    })());
  }

  /** Runs writes as one transaction (the ones inside become savepoints): an upsert and what goes with it land together. */
  transaction<T>(run: () => T): T {
    return this.#guard(() => this.#db.transaction(run)());
  }

  /** Returns the ids whose state actually changed (unknown ids and no-ops are left out). */
  setUnread(ids: string[], unread: boolean): string[] {
    const statement = this.#prepare('UPDATE items SET unread = ? WHERE id = ? AND unread <> ?');
    const flag = unread ? 1 : 0;
    return this.#guard(() => this.#db.transaction(() => {
      const changed: string[] = [];
      for (const id of new Set(ids)) {
        if (statement.run(flag, id, flag).changes > 0) changed.push(id);
      }
      return changed;
    })());
  }

  setUnreadByExternalId(accountId: string, changes: { externalId: string; unread: boolean }[]): number {
    // By external id: a row the server moved (an IMAP move) keeps its first id but not its first external id.
    const statement = this.#prepare('UPDATE items SET unread = ? WHERE account_id = ? AND external_id = ? AND unread <> ?');
    return this.#guard(() => this.#db.transaction(() => {
      let changed = 0;
      for (const change of changes) {
        const flag = change.unread ? 1 : 0;
        changed += statement.run(flag, accountId, change.externalId, flag).changes;
      }
      return changed;
    })());
  }

  /**
   * Items the server no longer has there. One that an outbox action is moving stays: the server
   * reports the move's source as gone before the action learns where it went.
   */
  removeItems(accountId: string, externalIds: string[]): number {
    const statement = this.#prepare(
      'DELETE FROM items WHERE account_id = ? AND external_id = ? ' +
        'AND NOT EXISTS (SELECT 1 FROM item_triage WHERE item_id = items.id AND pending > 0)',
    );
    return this.#guard(() => this.#db.transaction(() => {
      let removed = 0;
      for (const externalId of externalIds) removed += statement.run(accountId, externalId).changes;
      return removed;
    })());
  }

  clearScope(accountId: string, scope: string): number {
    return this.#guard(
      () =>
        this.#prepare(
          'DELETE FROM items WHERE account_id = ? AND scope = ? ' +
            'AND NOT EXISTS (SELECT 1 FROM item_triage WHERE item_id = items.id AND pending > 0)',
        ).run(accountId, scope).changes,
    );
  }

  getItem(id: string): StoredItem | undefined {
    const row = this.#guard(() => this.#prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE items.id = ?`).get(id) as ItemRow | undefined);
    return row === undefined ? undefined : toStoredItem(row);
  }

  /** The item the server knows by this external id, wherever it moved since. */
  findByExternalId(accountId: string, externalId: string): StoredItem | undefined {
    const id = this.#idOf(accountId, externalId);
    return id === undefined ? undefined : this.getItem(id);
  }

  /** In the order asked for; unknown ids are skipped. */
  getItems(ids: string[]): StoredItem[] {
    const statement = this.#prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE items.id = ?`);
    return this.#guard(() => {
      const found: StoredItem[] = [];
      for (const id of ids) {
        const row = statement.get(id) as ItemRow | undefined;
        if (row !== undefined) found.push(toStoredItem(row));
      }
      return found;
    });
  }

  /** The items of one conversation of an account, oldest first, without deleted ones and spam (at most `limit`, the newest). */
  conversation(accountId: string, conversationKey: string, limit = 200): StoredItem[] {
    return this.#guard(() => {
      const rows = this.#prepare(
        `SELECT ${ITEM_COLUMNS} FROM items WHERE items.account_id = ? AND items.conversation_key = ? AND items.shelf < 3 ORDER BY items.timestamp DESC LIMIT ?`,
      ).all(accountId, conversationKey, limit) as ItemRow[];
      return rows.map(toStoredItem).reverse();
    });
  }

  knownExternalIds(accountId: string, scope: string): string[] {
    return this.#guard(() => this.#prepare('SELECT external_id FROM items WHERE account_id = ? AND scope = ?').pluck().all(accountId, scope) as string[]);
  }

  /** What a polling connector needs to keep an entry's read state and first-seen time. */
  knownItems(accountId: string, scope: string, among?: readonly string[]): Map<string, { unread: boolean; timestamp: number }> {
    const rows = this.#guard(() => {
      if (among === undefined) {
        return this.#prepare('SELECT external_id, unread, timestamp FROM items WHERE account_id = ? AND scope = ?').raw().all(accountId, scope) as [string, number, number][];
      }
      // By the (account, external id) key, a few hundred at a time: as cheap at a million stored rows as at ten.
      const found: [string, number, number][] = [];
      const ids = [...new Set(among)];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const sql = `SELECT external_id, unread, timestamp FROM items WHERE account_id = ? AND scope = ? AND external_id IN (${chunk.map(() => '?').join(',')})`;
        found.push(...(this.#prepare(sql).raw().all(accountId, scope, ...chunk) as [string, number, number][]));
      }
      return found;
    });
    return new Map(rows.map(([externalId, unread, timestamp]) => [externalId, { unread: unread === 1, timestamp }]));
  }

  knownReadState(accountId: string, scope: string): Map<string, boolean> {
    const rows = this.#guard(
      () => this.#prepare('SELECT external_id, unread FROM items WHERE account_id = ? AND scope = ?').raw().all(accountId, scope) as [string, number][],
    );
    return new Map(rows.map(([externalId, unread]) => [externalId, unread === 1]));
  }

  // ---- the inbox --------------------------------------------------------------------------

  listInbox(query: InboxQuery): InboxPage {
    const limit = pageSize(query.limit);
    const { sql, params } = inboxQuery(query);
    const rows = this.#guard(() => this.#prepare(sql).all(...bindLimit(params, limit + 1, pageOffset(query))) as ItemRow[]);
    return toPage(rows, limit, query);
  }

  /** How many items the list of this filter holds: each shelf counted on its own index. */
  countInbox(filter: InboxFilter): number {
    const views = (filter.view ?? 'inbox') === 'all' ? (['inbox', 'snoozed', 'done'] as const) : [filter.view ?? 'inbox'];
    return this.#guard(() =>
      views.reduce((sum, view) => {
        const where: string[] = [];
        const params: unknown[] = [];
        const index = addFilter({ ...filter, view }, where, params);
        const sql = `SELECT count(*) FROM items${index === undefined ? '' : ` INDEXED BY ${index}`} WHERE ${where.join(' AND ')}`;
        return sum + (this.#prepare(sql).pluck().get(...params) as number);
      }, 0),
    );
  }

  /**
   * Search as the box reads it (search-syntax.ts): words, phrases and operators, the matches
   * counted, ranked and highlighted (search-plan.ts). Wrong syntax is a StoreError('invalid-input')
   * saying what would work; nothing the user types reaches FTS5 as syntax.
   */
  search(query: SearchQuery, now: Date = new Date()): SearchResults {
    const parsed = parseSearch(query.text, now);
    if (!parsed.ok) throw new StoreError('invalid-input', parsed.error);
    const search = parsed.search;
    const empty: SearchResults = { items: [], total: 0, totalCapped: false, terms: [], hits: {} };
    if (isEmptySearch(search)) return empty;
    if (query.source !== undefined && search.source !== undefined && query.source !== search.source) return empty;
    const stillIndexing = this.catchUpSearchIndex(SEARCH_CATCH_UP_SLICES);
    const queries = this.#candidateQueries(query, search);
    const rows = this.#guard(() => queries.map((q) => this.#prepare(q.sql).all(...q.params) as CandidateRow[]));
    const terms = highlightTerms(search.terms);
    const { candidates, capped } = mergeCandidates(rows, terms);
    const ranked = rankCandidates(candidates, query.order ?? 'best').slice(0, pageSize(query.limit));
    const stored = new Map(this.getItems(ranked.map((c) => c.id)).map((item) => [item.id, item]));
    const items: InboxItem[] = [];
    const hits: Record<string, SearchHit> = {};
    for (const candidate of ranked) {
      const item = stored.get(candidate.id);
      if (item === undefined) continue;
      const shown = shownHit(item, candidate, terms);
      items.push(shown.item);
      hits[item.id] = shown.hit;
    }
    return { items, total: candidates.length, totalCapped: capped, terms, hits, ...(stillIndexing > 0 ? { stillIndexing } : {}) };
  }

  /**
   * Indexes up to `limit` stored rows that search does not know yet, oldest first, in one
   * transaction; returns how many. The hub calls it in the background until it returns less than asked.
   */
  indexPendingSearch(limit: number = SEARCH_INDEX_SLICE): number {
    const index = this.#prepare(INDEX_PENDING);
    const drop = this.#prepare(DROP_INDEXED);
    return this.#guard(() => this.#db.transaction(() => {
      const indexed = index.run({ limit }).changes;
      if (indexed > 0) drop.run({ limit });
      return indexed;
    })());
  }

  /** Rows stored but not yet searchable. */
  pendingSearchCount(): number {
    return this.#prepare('SELECT count(*) FROM search_pending').pluck().get() as number;
  }

  /**
   * Search runs on a complete index: whatever the background has not reached yet is indexed now, up
   * to `slices` slices (a search after a first sync of 100k items, or after an upgrade re-indexed
   * everything, must not hold the hub for a minute). Returns how many rows are still waiting.
   */
  catchUpSearchIndex(slices = Infinity): number {
    for (let n = 0; n < slices; n++) {
      if (this.indexPendingSearch() < SEARCH_INDEX_SLICE) return 0;
    }
    return this.pendingSearchCount();
  }

  /** The unread items of a view (mark all read), newest first, at most `limit`. */
  unreadIdsIn(filter: InboxFilter, limit = 1_000_000): string[] {
    const { sql, params } = inboxQuery({ ...filter, unreadOnly: true });
    return (this.#prepare(sql).all(...bindLimit(params, limit, 0)) as ItemRow[]).map((row) => row.id);
  }

  /** The query plan listInbox runs for `query`, one line per step (tests and the bench check it). */
  explainInbox(query: InboxQuery): string[] {
    const { sql, params } = inboxQuery(query);
    return this.#explain(sql, bindLimit(params, pageSize(query.limit) + 1, pageOffset(query)));
  }

  /** The plans of a search's candidate queries, one line per step (tests and the bench check them). */
  explainSearch(query: SearchQuery, now: Date = new Date()): string[] {
    const parsed = parseSearch(query.text, now);
    if (!parsed.ok) return [];
    return this.#candidateQueries(query, parsed.search).flatMap((q) => this.#explain(q.sql, q.params));
  }

  unreadCounts(): UnreadCounts {
    const rows = this.#guard(() => this.#prepare(
      'SELECT account_id, source, unread, priority_unread FROM unread_counters WHERE unread > 0',
    ).all()) as { account_id: string; source: SourceKind; unread: number; priority_unread: number }[];
    const counts: UnreadCounts = {
      all: 0,
      bySource: { mail: 0, chat: 0, feed: 0 },
      byAccount: {},
      priority: 0,
      priorityByAccount: {},
    };
    for (const row of rows) {
      counts.all += row.unread;
      counts.bySource[row.source] += row.unread;
      counts.byAccount[row.account_id] = (counts.byAccount[row.account_id] ?? 0) + row.unread;
      if (row.priority_unread > 0) {
        counts.priority += row.priority_unread;
        counts.priorityByAccount[row.account_id] = (counts.priorityByAccount[row.account_id] ?? 0) + row.priority_unread;
      }
    }
    return counts;
  }

  // ---- sync cursors and bodies ------------------------------------------------------------

  // ---- preferences ------------------------------------------------------------------------

  /** The app's preferences document as last saved, for the hub to decode with defaults. */
  readPreferences(): { version: number; value: unknown } | undefined {
    const row = this.#prepare('SELECT version, value FROM preferences WHERE id = 1').get() as { version: number; value: string } | undefined;
    return row === undefined ? undefined : { version: row.version, value: JSON.parse(row.value) as unknown };
  }

  writePreferences(version: number, value: unknown): void {
    this.#guard(() =>
      this.#prepare(
        'INSERT INTO preferences (id, version, value) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, value = excluded.value',
      ).run(version, JSON.stringify(value)),
    );
  }

  readCursor<T>(accountId: string, key: string): T | undefined {
    const value = this.#guard(
      () => this.#prepare('SELECT value FROM sync_cursors WHERE account_id = ? AND key = ?').pluck().get(accountId, key) as string | undefined,
    );
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  writeCursor(accountId: string, key: string, value: unknown): void {
    this.#guard(() =>
      this.#prepare(
        'INSERT INTO sync_cursors (account_id, key, value) VALUES (?, ?, ?) ' +
          'ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value',
      ).run(accountId, key, JSON.stringify(value ?? null)),
    );
  }

  getBody(itemId: string): StoredBody | undefined {
    const row = this.#guard(
      () => this.#prepare('SELECT headers, body_text, content, fetched_at FROM item_bodies WHERE item_id = ?').get(itemId) as
        | { headers: string; body_text: string; content: string | null; fetched_at: number }
        | undefined,
    );
    if (row === undefined) return undefined;
    return {
      headers: JSON.parse(row.headers) as StoredBody['headers'],
      bodyText: row.body_text,
      ...(row.content === null ? {} : { content: JSON.parse(row.content) as RichNode[] }),
      fetchedAt: row.fetched_at,
    };
  }

  /**
   * Caches a body. If the item was removed while its body was being fetched there is nothing to
   * cache it for, so that case is a no-op rather than an error.
   */
  putBody(itemId: string, body: StoredBody): void {
    this.#guard(() => this.#prepare(PUT_BODY).run(...bodyParams(itemId, body)));
  }

  // ---- internals --------------------------------------------------------------------------

  /**
   * SQLite's failures in the user's words. A damaged file is also marked, so the next start sets
   * it aside instead of failing the same way on every call.
   */
  #guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (isDiskFull(error)) throw diskFullError(this.#path, error);
      if (isDamaged(error)) {
        try {
          writeFileSync(damageMarkerPath(this.#path), `${new Date().toISOString()} ${String((error as Error).message)}\n`, { mode: 0o600 });
        } catch {
          // The error itself still says what to do; only the automatic set-aside is lost.
        }
        throw damagedError(this.#path, error);
      }
      throw error;
    }
  }

  /** An account change and its copy beside the database (see recovery.ts), the copy only once the change committed. */
  #accountsChanging(run: () => void): void {
    this.#guard(() => this.#db.transaction(run)());
    this.#guard(() => writeAccountsCopy(this.#path, this.listAccounts()));
  }

  #candidateQueries(query: SearchQuery, search: ParsedSearch): ReturnType<typeof candidateQueries> {
    const where: string[] = [];
    const params: unknown[] = [];
    // Search looks through every view unless told otherwise: a done mail is still found.
    addFilter({ ...query, view: query.view ?? 'all' }, where, params);
    return candidateQueries(search, { where, params });
  }

  #putMessages(accountId: string, externalId: string, messages: readonly SearchableMessage[]): void {
    const put = this.#prepare(PUT_MESSAGE);
    const drop = this.#prepare(DROP_MESSAGE);
    for (const message of messages) {
      const ids = { accountId, externalId, messageId: message.id };
      if (message.body.trim() === '') drop.run(ids);
      else put.run({ ...ids, sender: message.sender, body: message.body, timestamp: Math.floor(message.timestamp) });
    }
  }

  #idOf(accountId: string, externalId: string): string | undefined {
    return this.#prepare('SELECT id FROM items WHERE account_id = ? AND external_id = ?').pluck().get(accountId, externalId) as string | undefined;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #explain(sql: string, params: unknown[]): string[] {
    const rows = this.#db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return rows.map((row) => row.detail);
  }
}

/** The connection with this app's settings, its SQL function and the schema brought up to date. */
function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Pages of the items table and its indexes are read at random during search; a bigger cache
    // and memory-mapped reads keep a million-row profile off the syscall path.
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 1073741824');
    db.pragma('temp_store = MEMORY');
    db.function('gs_word_prefix', { deterministic: true, varargs: true }, (prefix, ...texts) => (hasWordPrefix(String(prefix), texts) ? 1 : 0));
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * The All view is the Inbox, Snoozed and Done shelves together: each is walked on its own index in
 * seq order and stops after a page, and the at most three pages are merged. One index per filter
 * and shelf serves every view, instead of a second set for "any shelf".
 */
function inboxQuery(query: InboxQuery): { sql: string; params: unknown[] } {
  const order = upward(query) ? 'ASC' : 'DESC';
  if ((query.view ?? 'inbox') !== 'all') return shelfQuery(query, order);
  const parts = (['inbox', 'snoozed', 'done'] as const).map((view) => shelfQuery({ ...query, view }, order, false));
  return {
    sql: `SELECT * FROM (${parts.map((p) => `SELECT * FROM (${p.sql})`).join(' UNION ALL ')}) ORDER BY seq ${order} LIMIT ? OFFSET ?`,
    // Each part's own LIMIT takes the page size (and the offset) too; the caller appends the last one.
    params: parts.flatMap((p) => [...p.params, LIMIT_PLACEHOLDER]),
  };
}

/**
 * The oldest page and the pages above an older one are read oldest first, on the same index
 * walked the other way, and turned round in toPage: no offset, however long the list.
 */
function upward(query: InboxQuery): boolean {
  return query.before !== undefined || query.from === 'oldest';
}

function pageOffset(query: InboxQuery): number {
  return query.offset !== undefined && !upward(query) && query.after === undefined ? Math.max(0, Math.floor(query.offset)) : 0;
}

/** Stands for the page size in a compound query's parts, filled in by bindLimit. */
const LIMIT_PLACEHOLDER = Symbol('limit');

function bindLimit(params: unknown[], limit: number, offset: number): unknown[] {
  return [...params.map((p) => (p === LIMIT_PLACEHOLDER ? limit + offset : p)), limit, offset];
}

function shelfQuery(query: InboxQuery, order: 'ASC' | 'DESC', withOffset = true): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const index = addFilter(query, where, params);
  if (query.before !== undefined) {
    where.push('items.seq > ?');
    params.push(decodeCursor(query.before));
  } else if (query.after !== undefined && query.from === undefined) {
    where.push('items.seq < ?');
    params.push(decodeCursor(query.after));
  }
  // INDEXED BY pins the plan: a fresh profile has no planner statistics, and the wrong index
  // would mean sorting every matching row to show fifty.
  const sql =
    `SELECT ${ITEM_COLUMNS} FROM items${index === undefined ? '' : ` INDEXED BY ${index}`}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY items.seq ${order} LIMIT ?${withOffset ? ' OFFSET ?' : ''}`;
  return { sql, params };
}

/**
 * Adds the filter's conditions and names the index that serves it in seq order; undefined for
 * any shelf at once, which only search asks for (FTS5 walks it in seq order).
 */
function addFilter(filter: InboxFilter, where: string[], params: unknown[]): string | undefined {
  // `unread = 1` is written literally: the planner only uses a partial index when the query's
  // own text implies the index's WHERE clause, which a bound parameter never does.
  const unread = filter.unreadOnly === true;
  const view = viewFilter(filter.view ?? 'inbox');
  where.push(view.where);
  if (unread) where.push('items.unread = 1');
  if (filter.accountId !== undefined) {
    where.push('items.account_id = ?');
    params.push(filter.accountId);
  }
  if (filter.source !== undefined) {
    where.push('items.source = ?');
    params.push(filter.source);
  }
  if (view.shelf !== undefined) {
    if (filter.accountId !== undefined) return unread ? 'items_unread_by_shelf_account' : 'items_by_shelf_account';
    if (filter.source !== undefined) return unread ? 'items_unread_by_shelf_source' : 'items_by_shelf_source';
    return unread ? 'items_unread_by_shelf' : 'items_by_shelf';
  }
  // A starred-style view names its own index; any shelf at once (search, which FTS5 walks in seq order) none.
  return view.index;
}

export function itemId(accountId: string, externalId: string): string {
  return `${accountId}:${externalId}`;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

function seqBase(timestamp: number): number {
  const clamped = Math.min(MAX_SEQ_TIMESTAMP, Math.max(0, Math.floor(Number.isFinite(timestamp) ? timestamp : 0)));
  return clamped * SEQ_SLOTS;
}

function toPage(rows: ItemRow[], limit: number, query: InboxQuery = {}): InboxPage {
  const more = rows.length > limit;
  // A page read upward (the oldest, or the one above an older page) came oldest first.
  const items = upward(query) ? rows.slice(0, limit).reverse() : rows.slice(0, limit);
  const first = items[0];
  const last = items[items.length - 1];
  const page: InboxPage = { items: items.map(toInboxItem) };
  if (last !== undefined && (upward(query) ? query.before !== undefined : more)) page.next = encodeCursor(last.seq);
  const newerExist = upward(query) ? more : query.after !== undefined || pageOffset(query) > 0;
  if (first !== undefined && newerExist) page.previous = encodeCursor(first.seq);
  return page;
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify([seq]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0])) return value[0] as number;
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw new StoreError('invalid-input', 'That page position is no longer valid; reload the inbox from the top.');
}

function toInboxItem(row: ItemRow): InboxItem {
  return {
    id: row.id,
    accountId: row.account_id,
    source: row.source,
    conversationKey: row.conversation_key,
    sender: row.sender,
    title: row.title,
    snippet: row.snippet,
    timestamp: row.timestamp,
    unread: row.unread === 1,
    priority: row.priority === 1,
    origin: JSON.parse(row.origin) as ItemOrigin,
    ...(row.sender_warning !== null ? { senderWarning: JSON.parse(row.sender_warning) as SenderWarning } : {}),
    ...triageFields(row),
  };
}

function toStoredItem(row: ItemRow): StoredItem {
  const item: StoredItem = { ...toInboxItem(row), externalId: row.external_id, scope: row.scope };
  if (row.search_text !== null) item.searchText = row.search_text;
  if (row.sender_address !== null) item.senderAddress = row.sender_address;
  if (row.recipients !== null) item.recipients = row.recipients;
  if (row.has_attachments === 1) item.hasAttachments = true;
  return item;
}

/**
 * A search result as the list shows it: a chat room found by one of its messages shows that message
 * (sender, text, time); a mail found deep in its body shows the passage around the first match.
 */
function shownHit(stored: StoredItem, candidate: Candidate, terms: Parameters<typeof matchRanges>[1]): { item: InboxItem; hit: SearchHit } {
  const { externalId: _e, scope: _s, searchText, senderAddress: _a, recipients: _r, hasAttachments: _h, ...item } = stored;
  const message = candidate.message;
  if (message !== undefined) {
    item.sender = message.sender;
    item.snippet = searchSnippet(message.body, terms);
    item.timestamp = message.timestamp;
  } else if (matchRanges(item.snippet, terms).length === 0 && searchText !== undefined && matchRanges(searchText, terms).length > 0) {
    item.snippet = searchSnippet(searchText, terms);
  }
  const hit: SearchHit = {
    sender: matchRanges(item.sender, terms),
    title: matchRanges(item.title, terms),
    snippet: matchRanges(item.snippet, terms),
  };
  if (message !== undefined) hit.messageId = message.id;
  return { item, hit };
}

function toStoredAccount(row: AccountRow): StoredAccount {
  return {
    id: row.id,
    kind: row.kind,
    displayName: row.display_name,
    createdAt: row.created_at,
    settings: JSON.parse(row.settings) as unknown,
    settingsVersion: row.settings_version,
  };
}
