/**
 * Where the words of a search occur in a text, as character ranges, for highlighting in the list
 * and the reading pane. Words are compared the way the search index compares them (unicode61 with
 * remove_diacritics): case and accents folded, split on anything that is not a letter or a digit.
 */
import type { SearchTerm, TextRange } from './api.ts';

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Case and accent folding close to the index's tokenizer. */
export function foldWord(word: string): string {
  // Most words are plain ASCII, where folding is lower case alone (and ten times cheaper).
  if (ASCII.test(word)) return word.toLowerCase();
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const ASCII = /^\p{ASCII}*$/u;

/** The folded words of a text, as the index sees them. */
export function searchTokens(text: string): string[] {
  return [...text.matchAll(WORD)].map((m) => foldWord(m[0])).filter((w) => w !== '');
}

/** At most this many ranges per text: a highlight, not a concordance. */
const MAX_RANGES = 200;

/** The ranges of `text` (start inclusive, end exclusive, in UTF-16 units) where a term's word is. */
export function matchRanges(text: string, terms: readonly SearchTerm[]): TextRange[] {
  if (terms.length === 0 || text === '') return [];
  const ranges: TextRange[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = foldWord(match[0]);
    for (const term of terms) {
      if (term.text === '') continue;
      if (term.prefix ? word.startsWith(term.text) : word === term.text) {
        const start = match.index;
        // A prefix lights up only what was typed, so "retr" shows as retr·y.
        const end = term.prefix ? start + prefixLength(match[0], term.text.length) : start + match[0].length;
        ranges.push([start, end]);
        break;
      }
    }
    if (ranges.length >= MAX_RANGES) break;
  }
  return ranges;
}

/** How many UTF-16 units of `word` fold to its first `folded` characters (accents folded away). */
function prefixLength(word: string, folded: number): number {
  let taken = 0;
  let units = 0;
  for (const ch of word) {
    if (taken >= folded) break;
    taken += foldWord(ch).length;
    units += ch.length;
  }
  // Combining marks that follow the last letter belong to it.
  while (units < word.length && /\p{M}/u.test(word[units]!)) units++;
  return units;
}

/** A text cut into plain and highlighted parts, in order. */
export function splitByRanges(text: string, ranges: readonly TextRange[]): { text: string; hit: boolean }[] {
  const parts: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) parts.push({ text: text.slice(at, start), hit: false });
    parts.push({ text: text.slice(start, end), hit: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}
