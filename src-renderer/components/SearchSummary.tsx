/**
 * Above the results: how many there are and how they are grouped (by source, best match first), and
 * the choice between that and newest first.
 */
import { useShallow } from 'zustand/react/shallow';
import type { SourceKind } from '../../src-shared/domain.ts';
import { setSearchOrder } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { activeQuery } from '../state/store.ts';

const GROUP_NAMES: Record<SourceKind, string> = { mail: 'Mail', chat: 'Chat', feed: 'Feeds' };

export function resultCount(total: number, capped: boolean): string {
  if (capped) return `More than ${total.toLocaleString()} results`;
  return total === 1 ? '1 result' : `${total.toLocaleString()} results`;
}

export function SearchSummary() {
  const hub = useHub();
  const { meta, order, groups, ready, failed } = useApp(
    useShallow((s) => {
      const answered = s.resultsFor === activeQuery(s);
      const ready = answered && s.searchMeta !== null;
      // The groups in the order the hub ranked them, each with the results shown of it.
      const counts = new Map<SourceKind, number>();
      for (const item of ready ? (s.results ?? []) : []) counts.set(item.source, (counts.get(item.source) ?? 0) + 1);
      return {
        ready,
        failed: answered && s.searchError !== null,
        meta: s.searchMeta,
        order: s.searchOrder,
        groups: [...counts].map(([source, n]) => `${GROUP_NAMES[source]} ${n}`).join(' · '),
      };
    }),
  );
  return (
    <div className="search-summary">
      <span className="search-count" role="status">
        {ready && meta !== null ? resultCount(meta.total, meta.totalCapped) : failed ? 'No results' : 'Searching…'}
        {ready && order === 'best' && groups !== '' ? <span className="search-groups"> — {groups}</span> : null}
        {ready && meta?.stillIndexing !== undefined ? (
          <span className="search-indexing"> · still indexing {meta.stillIndexing.toLocaleString()} items, so some may be missing</span>
        ) : null}
      </span>
      <div className="segmented" role="group" aria-label="Order of results">
        <button type="button" aria-pressed={order === 'best'} onClick={() => void setSearchOrder(hub, 'best')}>
          Best match
        </button>
        <button type="button" aria-pressed={order === 'newest'} onClick={() => void setSearchOrder(hub, 'newest')}>
          Newest first
        </button>
      </div>
    </div>
  );
}
