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
