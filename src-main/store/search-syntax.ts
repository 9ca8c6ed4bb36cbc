/**
 * What a user types into the search box, read as words, phrases and operators, and turned into an
 * FTS5 query that cannot fail to parse. Pure: the store runs what this returns.
 *
 * Every word and phrase becomes a quoted FTS5 string, so `AND`, `NEAR`, `*`, `^`, `:` and
 * parentheses are searched as text, never read as FTS syntax. Only the operators below are syntax;
 * any other `word:` is searched as text ("re:", "10:30", "https://…"). The last word is matched as
 * a prefix while the user is still typing it (no space after it). Wrong operator values come back
 * as a sentence saying what would work.
 */
import type { SourceKind } from '../../src-shared/domain.ts';
import type { SearchTerm } from '../../src-shared/api.ts';
import { foldWord, searchTokens } from '../../src-shared/search-match.ts';

/**
 * A prefix shorter than this is matched as a whole word: one or two letters would stand for a large
 * part of the vocabulary, and the index keeps 3-letter prefixes (migrations/009-search-operators.ts).
 */
export const MIN_PREFIX = 3;

/** More terms than this add nothing a person means and cost one doclist each. */
export const MAX_TERMS = 16;

export type TextColumn = 'sender' | 'recipients';

export interface TextTerm {
  /** The words as typed (a phrase keeps its words in order). */
  text: string;
  /** Searched in one column only (from:, to:), else in all. */
  column?: TextColumn;
  /** The last word is a prefix: the user is still typing it. */
  prefix: boolean;
  /** `-word`: matches are left out. */
  negated: boolean;
}

export interface ParsedSearch {
  terms: TextTerm[];
  /** `in:` names: a room, a mailbox, a feed or an account, by name. */
  places: string[];
  source?: SourceKind;
  unread?: boolean;
  starred?: boolean;
  hasAttachment?: boolean;
  /** Milliseconds since the epoch: items at or after `after` and before `before`. */
  after?: number;
  before?: number;
}

export type ParseOutcome = { ok: true; search: ParsedSearch } | { ok: false; error: string };

const OPERATORS = ['from', 'to', 'in', 'source', 'is', 'has', 'before', 'after'] as const;
type Operator = (typeof OPERATORS)[number];

interface Token {
  operator?: Operator;
  value: string;
  quoted: boolean;
  negated: boolean;
  /** The token runs to the end of the input: the user may still be typing it. */
  atEnd: boolean;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const DAY_MS = 24 * 3600 * 1000;

/** Reads `text`; `now` anchors relative dates (7d) and today/yesterday in the hub's local time. */
export function parseSearch(text: string, now: Date = new Date()): ParseOutcome {
  // Control and format characters (NUL included) have no business in a query; they are spaces.
  const cleaned = text.normalize('NFC').replace(/\p{Cc}|\p{Cf}/gu, ' ');
  const tokens = tokenize(cleaned);
  const search: ParsedSearch = { terms: [], places: [] };
  for (const token of tokens) {
    if (token.operator === undefined) {
      if (!WORD_CHARACTER.test(token.value)) continue;
      search.terms.push({ text: token.value, prefix: typedPrefix(token), negated: token.negated });
      continue;
    }
    // `from:` with nothing after it yet, at the end of the box: the user is about to type the value.
    if (token.value === '' && token.atEnd && !token.quoted) continue;
    const error = applyOperator(search, token, now);
    if (error !== undefined) return { ok: false, error };
  }
  if (search.terms.length > MAX_TERMS) {
    return { ok: false, error: `That search has ${search.terms.length} words; use at most ${MAX_TERMS}, the ones that matter most.` };
  }
  if (search.terms.length > 0 && search.terms.every((t) => t.negated) && !hasFilter(search)) {
    return { ok: false, error: 'Say what to look for besides what to leave out: "-word" removes matches from a search, as in report -draft.' };
  }
  return { ok: true, search };
}

/** Whether the search asks for anything at all. */
export function isEmptySearch(search: ParsedSearch): boolean {
  return search.terms.length === 0 && !hasFilter(search);
}

function hasFilter(search: ParsedSearch): boolean {
  return (
    search.places.length > 0 ||
    search.source !== undefined ||
    search.unread !== undefined ||
    search.starred !== undefined ||
    search.hasAttachment !== undefined ||
    search.after !== undefined ||
    search.before !== undefined
  );
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (/\s/u.test(input[i]!)) {
      i++;
      continue;
    }
    let negated = false;
    if (input[i] === '-' && i + 1 < input.length && !/\s/u.test(input[i + 1]!)) {
      negated = true;
      i++;
    }
    let operator: Operator | undefined;
    const head = /^([a-z]+):/iu.exec(input.slice(i, i + 8));
    if (head !== null && (OPERATORS as readonly string[]).includes(head[1]!.toLowerCase())) {
      operator = head[1]!.toLowerCase() as Operator;
      i += head[0].length;
    }
    let value: string;
    let quoted = false;
    if (input[i] === '"') {
      // A phrase runs to its closing quote, or to the end while the user has not typed it yet.
      const close = input.indexOf('"', i + 1);
      const end = close === -1 ? input.length : close;
      value = input.slice(i + 1, end);
      i = close === -1 ? input.length : close + 1;
      quoted = close !== -1;
    } else {
      const start = i;
      while (i < input.length && !/\s/u.test(input[i]!)) i++;
      value = input.slice(start, i);
    }
    const token: Token = { value, quoted, negated, atEnd: i >= input.length };
    if (operator !== undefined) token.operator = operator;
    tokens.push(token);
  }
  return tokens;
}

/** The token the cursor is in, at least MIN_PREFIX letters into its last word: matched as a prefix. */
function typedPrefix(token: Token): boolean {
  if (!token.atEnd || token.quoted) return false;
  const last = searchTokens(token.value).at(-1);
  return last !== undefined && [...last].length >= MIN_PREFIX;
}

function applyOperator(search: ParsedSearch, token: Token, now: Date): string | undefined {
  const value = token.value.trim();
  const operator = token.operator!;
  if (token.negated) return `"-${operator}:" cannot leave things out; write ${operator}:${value || '…'} without the minus.`;
  switch (operator) {
    case 'from':
    case 'to': {
      if (!WORD_CHARACTER.test(value)) return `${operator}: needs a name or an address after it, as in ${operator}:alice.`;
      search.terms.push({ text: value, column: operator === 'from' ? 'sender' : 'recipients', prefix: typedPrefix(token), negated: false });
      return undefined;
    }
    case 'in':
      if (value === '') return 'in: needs the name of a room, a mailbox, a feed or an account, as in in:inbox.';
      search.places.push(value);
      return undefined;
    case 'source': {
      const source = value.toLowerCase();
      if (source !== 'mail' && source !== 'chat' && source !== 'feed') return `source: is mail, chat or feed (source:mail), not "${cut(value)}".`;
      if (search.source !== undefined && search.source !== source) return 'An item comes from one source; use one source: at a time.';
      search.source = source;
      return undefined;
    }
    case 'is': {
      const state = value.toLowerCase();
      if (state === 'unread' || state === 'read') search.unread = state === 'unread';
      else if (state === 'starred' || state === 'unstarred') search.starred = state === 'starred';
      else return `is: is unread, read, starred or unstarred (is:unread), not "${cut(value)}".`;
      return undefined;
    }
    case 'has':
      if (!/^attachments?$/iu.test(value)) return `has: only knows attachment (has:attachment), not "${cut(value)}".`;
      search.hasAttachment = true;
      return undefined;
    case 'before':
    case 'after': {
      const at = parseDate(value, now);
      if (at === undefined) {
        return `${operator}: needs a date such as 2026-03-01, today or yesterday, or a time back such as 7d (days), 2w, 3m or 1y; "${cut(value)}" is none of those.`;
      }
      if (operator === 'before') search.before = Math.min(search.before ?? Infinity, at);
      else search.after = Math.max(search.after ?? -Infinity, at);
      return undefined;
    }
    default:
      return missingOperator(operator);
  }
}

function missingOperator(operator: never): string {
  return `Unknown operator ${String(operator)}.`;
}

/** The start of a day (local time), or a moment back from now. */
export function parseDate(value: string, now: Date): number | undefined {
  const lower = value.toLowerCase();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (lower === 'today') return today;
  if (lower === 'yesterday') return new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime();
  const date = /^(\d{4})-(\d{1,2})-(\d{1,2})$/u.exec(value);
  if (date !== null) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = new Date(year, month - 1, day);
    // 2026-02-30 would roll over into March; a date that does not exist is refused.
    if (at.getFullYear() !== year || at.getMonth() !== month - 1 || at.getDate() !== day) return undefined;
    return at.getTime();
  }
  const back = /^(\d{1,4})([dwmy])$/u.exec(lower);
  if (back !== null) {
    const n = Number(back[1]);
    const unit = back[2];
    if (unit === 'd') return now.getTime() - n * DAY_MS;
    if (unit === 'w') return now.getTime() - n * 7 * DAY_MS;
    const moved = new Date(now.getTime());
    if (unit === 'm') moved.setMonth(moved.getMonth() - n);
    else moved.setFullYear(moved.getFullYear() - n);
    return moved.getTime();
  }
  return undefined;
}

function cut(value: string): string {
  return value.length > 40 ? `${value.slice(0, 39)}…` : value;
}

/** The FTS5 MATCH expression for the text terms; undefined when there are none to look up. */
export function toMatchExpression(terms: readonly TextTerm[]): string | undefined {
  const positive = terms.filter((t) => !t.negated).map(ftsTerm).filter((t) => t !== undefined);
  const negative = terms.filter((t) => t.negated).map(ftsTerm).filter((t) => t !== undefined);
  if (positive.length === 0) return undefined;
  const base = positive.length === 1 ? positive[0]! : `(${positive.join(' AND ')})`;
  return [base, ...negative].join(' NOT ');
}

function ftsTerm(term: TextTerm): string | undefined {
  if (!WORD_CHARACTER.test(term.text)) return undefined;
  const quoted = `"${term.text.replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;
  return term.column === undefined ? quoted : `${term.column} : ${quoted}`;
}

/** A row matches only if one of its words (in `column`, or anywhere) starts with `prefix` (folded). */
export interface PrefixCheck {
  prefix: string;
  column?: TextColumn;
}

/**
 * The MATCH expression as the index runs it fast. FTS5 keeps 3-letter prefixes: `"ret"*` streams its
 * matches newest first, while `"retr"*` would first merge the whole doclist of every word starting
 * with "retr". So a longer half-typed word is looked up by its first three letters and each row is
 * then checked for the whole prefix (`checks`, run by the store as the SQL function gs_word_prefix).
 */
export function toIndexQuery(terms: readonly TextTerm[]): { match: string | undefined; checks: PrefixCheck[] } {
  const checks: PrefixCheck[] = [];
  const indexed = terms.map((term) => {
    if (!term.prefix || term.negated || !WHOLE_WORD.test(term.text)) return term;
    const letters = [...term.text];
    if (letters.length <= MIN_PREFIX) return term;
    const check: PrefixCheck = { prefix: foldWord(term.text) };
    if (term.column !== undefined) check.column = term.column;
    checks.push(check);
    return { ...term, text: letters.slice(0, MIN_PREFIX).join('') };
  });
  return { match: toMatchExpression(indexed), checks };
}

const WHOLE_WORD = /^[\p{L}\p{N}]+$/u;

/** The words to highlight: every word of the terms looked for (not the left-out ones), the last a prefix while typed. */
export function highlightTerms(terms: readonly TextTerm[]): SearchTerm[] {
  const out: SearchTerm[] = [];
  const seen = new Set<string>();
  for (const term of terms) {
    if (term.negated) continue;
    const words = searchTokens(term.text);
    words.forEach((word, i) => {
      const prefix = term.prefix && i === words.length - 1;
      const key = `${word}${prefix ? '*' : ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ text: word, prefix });
    });
  }
  return out;
}
