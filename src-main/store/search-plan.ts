/**
 * A parsed search as SQL, and its matches in the order the user asked for.
 *
 * Each index (items_fts for items, messages_fts for chat messages) streams its matches newest first
 * by rowid and stops after CANDIDATES rows, so a search costs about the same at a million items as
 * at a thousand. Those candidates give the count (exact below CANDIDATES, "at least" above) and are
 * ranked by BM25 — sender and title weigh more than the body — grouped by source, newest breaking
 * ties; only the page shown is then read in full. A common word's best match is therefore the best
 * among its newest CANDIDATES matches, which is what a person looking for it nearly always means.
 */
import type { SearchOrder } from '../../src-shared/api.ts';
import type { SourceKind } from '../../src-shared/domain.ts';
import { toMatchExpression } from './search-syntax.ts';
import type { ParsedSearch } from './search-syntax.ts';

/** Matches considered per index: the count's cap and the ranking's window. */
export const CANDIDATES = 1_000;

/** BM25 weights of sender, recipients, title and body. */
const WEIGHTS = '4.0, 2.0, 3.0, 1.0';
/** seq is timestamp × 1024 (see migrations/001-initial.ts). */
const SEQ_SLOTS = 1024;

export interface Candidate {
  seq: number;
  id: string;
  source: SourceKind;
  timestamp: number;
  /** BM25: lower is better; 0 for a search of operators only. */
  score: number;
  /** A chat message that matched in this room. */
  message?: { id: string; sender: string; body: string; timestamp: number };
}

interface CandidateRow {
  seq: number;
  id: string;
  source: SourceKind;
  timestamp: number;
  score: number;
  message_id?: string;
  message_sender?: string;
  message_body?: string;
}

export interface PlannedQuery {
  sql: string;
  params: unknown[];
}

/**
 * The candidate queries for a search: items (always) and chat messages (when the search could
 * match one). `filter` holds the view, source and account conditions on `items`.
 */
export function candidateQueries(search: ParsedSearch, filter: { where: string[]; params: unknown[] }): PlannedQuery[] {
  const conditions = operatorConditions(search);
  const where = [...filter.where, ...conditions.where];
  const params = [...filter.params, ...conditions.params];
  const match = toMatchExpression(search.terms);
  const columns = 'items.seq AS seq, items.id AS id, items.source AS source';

  if (match === undefined) {
    const time = timeConditions(search, 'items.seq', SEQ_SLOTS);
    return [
      {
        sql:
          `SELECT ${columns}, items.timestamp AS timestamp, 0 AS score FROM items` +
          whereClause([...where, ...time.where]) +
          ' ORDER BY items.seq DESC LIMIT ?',
        params: [...params, ...time.params, CANDIDATES + 1],
      },
    ];
  }

  const itemTime = timeConditions(search, 'items_fts.rowid', SEQ_SLOTS);
  const queries: PlannedQuery[] = [
    {
      sql:
        `SELECT ${columns}, items.timestamp AS timestamp, bm25(items_fts, ${WEIGHTS}) AS score` +
        ' FROM items_fts JOIN items ON items.seq = items_fts.rowid' +
        whereClause(['items_fts MATCH ?', ...itemTime.where, ...where]) +
        ' ORDER BY items_fts.rowid DESC LIMIT ?',
      params: [match, ...itemTime.params, ...params, CANDIDATES + 1],
    },
  ];
  // Messages have no recipients and no attachments; a mail-only or feed-only search skips them.
  const chatMayMatch =
    (search.source === undefined || search.source === 'chat') &&
    search.hasAttachment !== true &&
    !search.terms.some((t) => !t.negated && t.column === 'recipients');
  if (chatMayMatch) {
    const messageTime = timeConditions(search, 'message.timestamp', 1);
    queries.push({
      sql:
        `SELECT ${columns}, message.timestamp AS timestamp, bm25(messages_fts, ${WEIGHTS}) AS score,` +
        ' message.message_id AS message_id, message.sender AS message_sender, message.body AS message_body' +
        ' FROM messages_fts JOIN chat_messages AS message ON message.id = messages_fts.rowid' +
        ' JOIN items ON items.id = message.item_id' +
        whereClause(['messages_fts MATCH ?', "items.source = 'chat'", ...messageTime.where, ...where]) +
        ' ORDER BY messages_fts.rowid DESC LIMIT ?',
      params: [match, ...messageTime.params, ...params, CANDIDATES + 1],
    });
  }
  return queries;
}

function whereClause(where: string[]): string {
  return where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
}

function operatorConditions(search: ParsedSearch): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (search.source !== undefined) {
    where.push('items.source = ?');
    params.push(search.source);
  }
  // Written literally, as the partial indexes want (see inbox-store.ts addFilter).
  if (search.unread !== undefined) where.push(search.unread ? 'items.unread = 1' : 'items.unread = 0');
  if (search.starred !== undefined) where.push(search.starred ? 'items.starred = 1' : 'items.starred = 0');
  if (search.hasAttachment === true) where.push('items.has_attachments = 1');
  for (const place of search.places) {
    // A mailbox by its path or its last part (in:dev for Lists/dev), a room or an account by name.
    const pattern = likePattern(place);
    where.push(
      "(items.scope LIKE ? ESCAPE '\\' OR items.scope LIKE ? ESCAPE '\\'" +
        " OR (items.source = 'chat' AND items.title LIKE ? ESCAPE '\\')" +
        " OR items.account_id IN (SELECT id FROM accounts WHERE display_name LIKE ? ESCAPE '\\'))",
    );
    params.push(pattern, `%/${pattern}`, pattern, pattern);
  }
  return { where, params };
}

function timeConditions(search: ParsedSearch, column: string, scale: number): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (search.after !== undefined) {
    where.push(`${column} >= ?`);
    params.push(Math.max(0, Math.floor(search.after)) * scale);
  }
  if (search.before !== undefined) {
    where.push(`${column} < ?`);
    params.push(Math.max(0, Math.floor(search.before)) * scale);
  }
  return { where, params };
}

/** A name compared whole and without regard to case: LIKE's own wildcards in it are plain text. */
function likePattern(name: string): string {
  return name.replace(/[\\%_]/gu, (c) => `\\${c}`);
}

/** One candidate per item: a room found by several messages keeps the best one (the newest among equals). */
export function mergeCandidates(rows: readonly CandidateRow[][]): { candidates: Candidate[]; capped: boolean } {
  const byId = new Map<string, Candidate>();
  let capped = false;
  for (const list of rows) {
    if (list.length > CANDIDATES) capped = true;
    for (const row of list.slice(0, CANDIDATES)) {
      const found = byId.get(row.id);
      const message =
        row.message_id !== undefined ? { id: row.message_id, sender: row.message_sender ?? '', body: row.message_body ?? '', timestamp: row.timestamp } : undefined;
      if (found === undefined) {
        const candidate: Candidate = { seq: row.seq, id: row.id, source: row.source, timestamp: row.timestamp, score: row.score };
        if (message) candidate.message = message;
        byId.set(row.id, candidate);
        continue;
      }
      if (message && (found.message === undefined || row.score < found.score)) {
        found.message = message;
        found.timestamp = message.timestamp;
      }
      found.score = Math.min(found.score, row.score);
    }
  }
  return { candidates: [...byId.values()], capped };
}

/** Scores this close are a tie, which the date breaks. */
const SCORE_STEP = 0.01;

export function rankCandidates(candidates: readonly Candidate[], order: SearchOrder): Candidate[] {
  const newestFirst = (a: Candidate, b: Candidate) => b.timestamp - a.timestamp || b.seq - a.seq;
  if (order === 'newest') return candidates.toSorted(newestFirst);
  const rounded = (c: Candidate) => Math.round(c.score / SCORE_STEP);
  const best = (a: Candidate, b: Candidate) => rounded(a) - rounded(b) || newestFirst(a, b);
  const groups = new Map<SourceKind, Candidate[]>();
  for (const c of candidates) {
    const group = groups.get(c.source);
    if (group === undefined) groups.set(c.source, [c]);
    else group.push(c);
  }
  const sorted = [...groups.values()].map((group) => group.sort(best));
  // The group holding the best match comes first.
  sorted.sort((a, b) => best(a[0]!, b[0]!));
  return sorted.flat();
}
