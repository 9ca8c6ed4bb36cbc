/**
 * Turns whatever a user typed into an FTS5 query that cannot fail to parse.
 *
 * Every word becomes a quoted string, so `AND`, `NEAR`, `-`, `*`, `:`, parentheses and stray quotes
 * are searched as text rather than read as syntax; words are ANDed. The last word is matched as a
 * prefix while the user is still typing it (no trailing space), which makes search-as-you-type work.
 *
 * The index keeps 3-character prefixes, so a longer half-typed word is looked up by its first three
 * characters (which streams newest first) and the rows are then checked for the whole prefix with
 * `hasWordPrefix`; asking FTS5 for `"secur"*` directly would merge every matching term up front.
 */

/** More words than this add nothing to a search but cost one doclist each. */
const MAX_WORDS = 12;
/** Must equal the `prefix` option of items_fts (migrations/002-search.ts). */
export const INDEXED_PREFIX_LENGTH = 3;

export interface SearchExpression {
  /** The FTS5 MATCH expression. */
  match: string;
  /** When set, a row matches only if one of its words starts with this (already folded) text. */
  wordPrefix?: string;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const WHOLE_WORD = /^[\p{L}\p{N}]+$/u;

export function toSearchExpression(text: string): SearchExpression | undefined {
  // Control characters (NUL included) have no business in a query; treat them as spaces.
  const cleaned = text.normalize('NFC').replace(/\p{Cc}|\p{Cf}/gu, ' ');
  const typed = cleaned.trim().split(/\s+/u);
  const searchable = typed.filter((word) => WORD_CHARACTER.test(word));
  const words = searchable.slice(0, MAX_WORDS);
  if (words.length === 0) return undefined;

  // Only the word under the cursor is a prefix: not after a space, not if it was cut off.
  const stillTyping =
    !/\s$/u.test(cleaned) && searchable.length <= MAX_WORDS && WORD_CHARACTER.test(typed[typed.length - 1] ?? '');
  const quote = (word: string) => `"${word.replaceAll('"', '""')}"`;
  const whole = words.slice(0, -1).map(quote);
  const last = words[words.length - 1]!;
  const letters = [...last];

  if (!stillTyping || letters.length < INDEXED_PREFIX_LENGTH) return { match: [...whole, quote(last)].join(' ') };
  if (letters.length === INDEXED_PREFIX_LENGTH || !WHOLE_WORD.test(last)) {
    return { match: [...whole, `${quote(last)}*`].join(' ') };
  }
  const head = letters.slice(0, INDEXED_PREFIX_LENGTH).join('');
  return { match: [...whole, `${quote(head)}*`].join(' '), wordPrefix: fold(last) };
}

/** The match expression alone; kept for callers that only need FTS5 syntax. */
export function toMatchExpression(text: string): string | undefined {
  return toSearchExpression(text)?.match;
}

/** Case and accent folding close to the index's unicode61 tokenizer with remove_diacritics. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether any word of `text` starts with `foldedPrefix`; used as a SQL function by the store. */
export function hasWordPrefix(text: string, foldedPrefix: string): boolean {
  for (const word of fold(text).split(/[^\p{L}\p{N}]+/u)) {
    if (word.startsWith(foldedPrefix)) return true;
  }
  return false;
}
