/**
 * A parsed search as SQL, and its matches in the order the user asked for.
 *
 * Each index (items_fts for items, messages_fts for chat messages) streams its matches newest first
 * by rowid and stops after CANDIDATES rows, so a search costs about the same at a million items as
 * at a thousand. Those candidates give the count (exact below CANDIDATES, "more than" above) and are
 * ranked grouped by source, best match first, newest breaking ties; only the page shown is then read
 * in full. A match is better where the words are: in the sender, then the title, then the text, and
 * all of them better than some. A common word's best match is therefore the best among its newest
 * CANDIDATES matches, which is what a person looking for it nearly always means. (FTS5's bm25()
 * ranked the same way but cost ten times the whole query: it reads every match's position lists.)
 */
import type { SearchOrder } from '../../src-shared/api.ts';
import type { SourceKind } from '../../src-shared/domain.ts';
import type { SearchTerm } from '../../src-shared/api.ts';
import { toIndexQuery } from './search-syntax.ts';
import type { ParsedSearch, PrefixCheck } from './search-syntax.ts';

/** Matches considered per index: the count's cap and the ranking's window. */
export const CANDIDATES = 300;

/** seq is timestamp × 1024 (see migrations/001-initial.ts). */
const SEQ_SLOTS = 1024;

export interface Candidate {
  seq: number;
  id: string;
  source: SourceKind;
  timestamp: number;
  /** Higher is better (see scoreCandidate); 0 for a search of operators only. */
  score: number;
  /** A chat message that matched in this room. */
  message?: { id: string; sender: string; body: string; timestamp: number };
}

export interface CandidateRow {
  seq: number;
  id: string;
  source: SourceKind;
  timestamp: number;
  sender: string;
  title: string;
  snippet: string;
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
  const { match, checks } = toIndexQuery(search.terms);
  const columns = 'items.seq AS seq, items.id AS id, items.source AS source';

  if (match === undefined) {
    const time = timeConditions(search, 'items.seq', SEQ_SLOTS);
    return [
      {
        sql:
          `SELECT ${columns}, items.timestamp AS timestamp, items.sender AS sender, items.title AS title, items.snippet AS snippet FROM items` +
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
        `SELECT ${columns}, items.timestamp AS timestamp, items.sender AS sender, items.title AS title, items.snippet AS snippet` +
        ' FROM items_fts JOIN items ON items.seq = items_fts.rowid' +
        whereClause(['items_fts MATCH ?', ...itemTime.where, ...where, ...checks.map((c) => prefixCondition(c, ITEM_TEXT))]) +
        ' ORDER BY items_fts.rowid DESC LIMIT ?',
      params: [match, ...itemTime.params, ...params, ...checks.map((c) => c.prefix), CANDIDATES + 1],
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
        `SELECT ${columns}, message.timestamp AS timestamp, message.sender AS sender, items.title AS title, message.body AS snippet,` +
        ' message.message_id AS message_id, message.sender AS message_sender, message.body AS message_body' +
        ' FROM messages_fts JOIN chat_messages AS message ON message.id = messages_fts.rowid' +
        ' JOIN items ON items.id = message.item_id' +
        whereClause(['messages_fts MATCH ?', "items.source = 'chat'", ...messageTime.where, ...where, ...checks.map((c) => prefixCondition(c, MESSAGE_TEXT))]) +
        ' ORDER BY messages_fts.rowid DESC LIMIT ?',
      params: [match, ...messageTime.params, ...params, ...checks.map((c) => c.prefix), CANDIDATES + 1],
    });
  }
  return queries;
}

/** The columns each index's columns are made of, for checking a longer prefix on a candidate row. */
const ITEM_TEXT = {
  sender: ['items.sender', 'items.sender_address'],
  recipients: ['items.recipients'],
  all: ['items.sender', 'items.sender_address', 'items.recipients', 'items.title', 'items.snippet', 'items.search_text'],
};
const MESSAGE_TEXT = { sender: ['message.sender'], recipients: [], all: ['message.sender', 'message.body'] };

function prefixCondition(check: PrefixCheck, text: typeof ITEM_TEXT): string {
  const columns = check.column === undefined ? text.all : text[check.column];
  return columns.length === 0 ? '0' : `gs_word_prefix(?, ${columns.join(', ')})`;
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

/** Where a word counts most: in the sender, then the title, then the text. */
const FIELD_WEIGHTS = { sender: 4, title: 3, snippet: 1 } as const;

/**
 * How well a row matches: each word looked for adds the weight of the best field it is in, and a
 * row with all of them in one field gains a bonus. A word found only in the body beyond the preview
 * (or a prefix check's other columns) still counts a little, since the index says it is there.
 */
export function scoreCandidate(row: Pick<CandidateRow, 'sender' | 'title' | 'snippet'>, terms: readonly SearchTerm[]): number {
  if (terms.length === 0) return 0;
  const texts = [foldText(row.sender), foldText(row.title), foldText(row.snippet)];
  const weights = [FIELD_WEIGHTS.sender, FIELD_WEIGHTS.title, FIELD_WEIGHTS.snippet];
  const inAll = [true, true, true];
  let score = 0;
  for (const term of terms) {
    const pattern = termPattern(term);
    let best = 0.5;
    for (let i = 0; i < texts.length; i++) {
      if (pattern.test(texts[i]!)) best = Math.max(best, weights[i]!);
      else inAll[i] = false;
    }
    score += best;
  }
  if (inAll.some((all) => all)) score += 2;
  return score;
}

const ASCII = /^\p{ASCII}*$/u;

/** Text folded as the index folds it, but for case (the patterns ignore case). */
function foldText(text: string): string {
  return ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}/gu, '');
}

const termPatterns = new Map<string, RegExp>();

/** A word at a word's start, whole unless it is a prefix; the term is folded letters and digits. */
function termPattern(term: SearchTerm): RegExp {
  const key = `${term.prefix ? '*' : ''}${term.text}`;
  let pattern = termPatterns.get(key);
  if (pattern === undefined) {
    if (termPatterns.size > 200) termPatterns.clear();
    const escaped = term.text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
    pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])${escaped}${term.prefix ? '' : '(?![\\p{L}\\p{N}\\p{M}])'}`, 'iu');
    termPatterns.set(key, pattern);
  }
  return pattern;
}

/** One candidate per item: a room found by several messages keeps the best one (the newest among equals). */
export function mergeCandidates(rows: readonly CandidateRow[][], terms: readonly SearchTerm[]): { candidates: Candidate[]; capped: boolean } {
  const byId = new Map<string, Candidate>();
  let capped = false;
  for (const list of rows) {
    if (list.length > CANDIDATES) capped = true;
    for (const row of list.slice(0, CANDIDATES)) {
      const found = byId.get(row.id);
      const score = scoreCandidate(row, terms);
      const message =
        row.message_id !== undefined ? { id: row.message_id, sender: row.message_sender ?? '', body: row.message_body ?? '', timestamp: row.timestamp } : undefined;
      if (found === undefined) {
        const candidate: Candidate = { seq: row.seq, id: row.id, source: row.source, timestamp: row.timestamp, score };
        if (message) candidate.message = message;
        byId.set(row.id, candidate);
        continue;
      }
      if (message && (found.message === undefined || score > found.score)) {
        found.message = message;
        found.timestamp = message.timestamp;
      }
      found.score = Math.max(found.score, score);
    }
  }
  return { candidates: [...byId.values()], capped };
}

export function rankCandidates(candidates: readonly Candidate[], order: SearchOrder): Candidate[] {
  const newestFirst = (a: Candidate, b: Candidate) => b.timestamp - a.timestamp || b.seq - a.seq;
  if (order === 'newest') return candidates.toSorted(newestFirst);
  const best = (a: Candidate, b: Candidate) => b.score - a.score || newestFirst(a, b);
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
