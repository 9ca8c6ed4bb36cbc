import { useEffect } from 'react';
import { clearSearch, runSearch, setQuery } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';

export const SEARCH_DEBOUNCE_MS = 150;

export function SearchBox() {
  const hub = useHub();
  const query = useApp((s) => s.query);

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
        placeholder="Search all messages"
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
            document.querySelector<HTMLElement>('[role="list"][aria-label="Inbox"]')?.focus();
          }
        }}
      />
    </div>
  );
}
