import { useEffect } from 'react';
import { clearSearch, runSearch, setQuery, setSearchScope } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';

export const SEARCH_DEBOUNCE_MS = 150;

const SOURCE_NAMES = { mail: 'Mail', chat: 'Chat', feed: 'Feeds' } as const;

/** The sidebar's selection as a search scope ("Work", "Chat"), or undefined when it shows everything. */
function useNarrowScope(): string | undefined {
  return useApp((s) => {
    if (s.view.accountId !== undefined) return s.accounts.find((a) => a.account.id === s.view.accountId)?.account.displayName ?? 'This account';
    return s.view.source === undefined ? undefined : SOURCE_NAMES[s.view.source];
  });
}

export function SearchBox() {
  const hub = useHub();
  const query = useApp((s) => s.query);
  const scope = useApp((s) => s.searchScope);
  const narrow = useNarrowScope();
  const narrowed = scope === 'view' && narrow !== undefined;

  useEffect(() => {
    if (query.trim() === '') return;
    const timer = setTimeout(() => void runSearch(hub), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [hub, query]);

  return (
    <div className="search">
      <input
        type="search"
        aria-label="Search"
        aria-describedby="search-scope"
        placeholder={narrowed ? `Search ${narrow}` : 'Search all sources'}
        value={query}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setQuery(hub, e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            clearSearch(hub);
          } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
            // Straight from the query into the results.
            e.preventDefault();
            document.querySelector<HTMLElement>('[role="listbox"][aria-label="Inbox"]')?.focus();
          }
        }}
      />
      {/* What the box searches, always in sight; with a source or account selected, one click narrows or widens. */}
      <div id="search-scope" className="segmented search-scope" role="group" aria-label="Search in">
        <button type="button" aria-pressed={!narrowed} onClick={() => void setSearchScope(hub, 'all')}>
          All sources
        </button>
        {narrow !== undefined ? (
          <button type="button" aria-pressed={narrowed} onClick={() => void setSearchScope(hub, 'view')}>
            {narrow}
          </button>
        ) : null}
      </div>
    </div>
  );
}
