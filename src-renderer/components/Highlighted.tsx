/**
 * Search words marked in text: in a list row from the hub's ranges, in the reading pane from the
 * words of the search in force (src-shared/search-match.ts finds them the way the index does).
 * Text is split into plain strings and <mark> elements; nothing is ever parsed as HTML.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { SearchTerm, TextRange } from '../../src-shared/api.ts';
import { matchRanges, splitByRanges } from '../../src-shared/search-match.ts';

export function Marked({ text, ranges }: { text: string; ranges: readonly TextRange[] | undefined }): ReactNode {
  if (ranges === undefined || ranges.length === 0) return text;
  return splitByRanges(text, ranges).map((part, i) =>
    part.hit ? (
      <mark key={i} className="hit">
        {part.text}
      </mark>
    ) : (
      part.text
    ),
  );
}

/** The words the reading pane marks; empty outside a search. */
export const SearchTermsContext = createContext<readonly SearchTerm[]>([]);

/** A text of the reading pane with the search's words marked. */
export function TermMarks({ text }: { text: string }): ReactNode {
  const terms = useContext(SearchTermsContext);
  if (terms.length === 0) return text;
  return <Marked text={text} ranges={matchRanges(text, terms)} />;
}
