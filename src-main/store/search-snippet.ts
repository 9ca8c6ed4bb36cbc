/**
 * The passage of a text around its first match, one line, for a search result whose preview would
 * otherwise not show why it was found.
 */
import type { SearchTerm } from '../../src-shared/api.ts';
import { matchRanges } from '../../src-shared/search-match.ts';

/** As long as the list's preview (hub/text-limits.ts: snippet). */
export const SEARCH_SNIPPET_LENGTH = 200;
/** Words shown before the match, so it reads in context. */
const LEAD = 40;

export function searchSnippet(text: string, terms: readonly SearchTerm[]): string {
  const line = text.replace(/\s+/gu, ' ').trim();
  const first = matchRanges(line, terms)[0];
  let start = first === undefined || first[0] <= LEAD ? 0 : first[0] - LEAD;
  // Start at a word, not inside one.
  if (start > 0) {
    const space = line.indexOf(' ', start);
    start = space !== -1 && space < (first?.[0] ?? line.length) ? space + 1 : start;
  }
  const body = line.slice(start, start + SEARCH_SNIPPET_LENGTH - (start > 0 ? 1 : 0));
  const head = start > 0 ? `…${body}` : body;
  return start + body.length < line.length ? `${head.slice(0, SEARCH_SNIPPET_LENGTH - 1)}…` : head;
}

const ASCII = /^\p{ASCII}*$/u;

/**
 * Whether a word of any of `texts` starts with `prefix` (folded): the check behind a longer
 * half-typed word (search-syntax.ts toIndexQuery). Plain ASCII text, most of it, is searched as it
 * is; other text is folded first, as the index folds it.
 */
export function hasWordPrefix(prefix: string, texts: readonly unknown[]): boolean {
  if (prefix === '') return true;
  const pattern = wordStart(prefix);
  for (const value of texts) {
    if (typeof value !== 'string' || value === '') continue;
    const text = ASCII.test(value) ? value : foldText(value);
    if (pattern.test(text)) return true;
  }
  return false;
}

const patterns = new Map<string, RegExp>();

function wordStart(prefix: string): RegExp {
  let pattern = patterns.get(prefix);
  if (pattern === undefined) {
    if (patterns.size > 100) patterns.clear();
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])${prefix.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}`, 'iu');
    patterns.set(prefix, pattern);
  }
  return pattern;
}

function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}

