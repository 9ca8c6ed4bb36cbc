import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SearchHit } from '../../src-shared/api.ts';
import type { InboxItem, TriageView } from '../../src-shared/domain.ts';
import { formatFullTime, formatItemTime } from '../format/time.ts';
import { loadFirstPage, loadMore, openItem, selectItem } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { jumpToOffset, jumpToOldest, loadNewer } from '../state/listWindow.ts';
import { activeQuery, conversationRow, listLength, triageViewOf, visibleItems } from '../state/store.ts';
import { checkRange, clearChecked, markViewRead, openContextMenu, toggleChecked } from '../state/triageActions.ts';
import { Marked } from './Highlighted.tsx';
import { SearchSummary } from './SearchSummary.tsx';
import { TriageButtons } from './TriageButtons.tsx';
import { RowContextMenu } from './TriageDialogs.tsx';
import { SenderWarningMark } from './SenderWarningMark.tsx';
import { PaperclipIcon } from './PaperclipIcon.tsx';
import { SourceIcon } from './SourceIcon.tsx';
import { useNow } from './useNow.ts';

export const ROW_HEIGHT = 58;
/** Start fetching the next page this many rows before the end, so scrolling never waits. */
const PREFETCH_ROWS = 30;

/** The DOM id of a row, which the listbox names as its active descendant. */
export function rowDomId(index: number): string {
  return `inbox-row-${index}`;
}

interface RowProps {
  item: InboxItem;
  index: number;
  total: number;
  start: number;
  /** The row the keyboard points at. */
  current: boolean;
  /** Picked for a bulk action. */
  checked: boolean;
  open: boolean;
  /** Where a search result matched, for marking its words. */
  hit: SearchHit | undefined;
  now: number;
  onClick: (id: string, e: MouseEvent) => void;
  onMenu: (id: string, e: MouseEvent) => void;
  onHover: (id: string) => void;
}

function timeOfDay(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
}

const InboxRow = memo(function InboxRow({ item, index, total, start, current, checked, open, hit, now, onClick, onMenu, onHover }: RowProps) {
  const chat = item.origin.kind === 'chat' ? item.origin : undefined;
  const invite = chat?.membership === 'invite';
  const conversation = useApp((s) => conversationRow(s, item.id));
  const classes = ['row'];
  if (item.unread || conversation?.unread === true) classes.push('unread');
  if (current) classes.push('selected');
  if (checked) classes.push('checked');
  if (open) classes.push('open');
  if (invite) classes.push('invite');
  return (
    <div
      id={rowDomId(index)}
      role="option"
      className={classes.join(' ')}
      aria-selected={checked}
      aria-setsize={total}
      aria-posinset={index + 1}
      data-item-id={item.id}
      data-unread={item.unread ? 'true' : 'false'}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      // Shift+click picks a range of items; without this the browser would also select the page's text up to it.
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault();
      }}
      onClick={(e) => onClick(item.id, e)}
      onContextMenu={(e) => onMenu(item.id, e)}
      onMouseEnter={() => onHover(item.id)}
    >
      <div className="row-line">
        <span className={`check-mark${checked ? ' on' : ''}`} aria-hidden="true" />
        <SourceIcon kind={item.source} />
        {item.unread ? <span className="unread-dot" role="img" aria-label="Unread" /> : null}
        {/* A room is known by its name; the latest message's sender goes with the message below. */}
        {/* Every text from a server is isolated (<bdi dir="auto">): its direction cannot spill into the row. */}
        <bdi className="sender" dir="auto">
          {chat !== undefined ? <Marked text={item.title} ranges={hit?.title} /> : conversation !== undefined ? conversation.participants.join(', ') : <Marked text={item.sender} ranges={hit?.sender} />}
        </bdi>
        {conversation !== undefined ? (
          <span className="conversation-size" title={`${conversation.itemIds.length} messages in this conversation`}>
            {conversation.itemIds.length}
            <span className="visually-hidden"> messages</span>
          </span>
        ) : null}
        <SenderWarningMark warning={item.senderWarning} />
        {chat?.unreadCount !== undefined && chat.unreadCount > 0 ? (
          <span className="room-count" title={`${chat.unreadCount} unread messages`}>
            {chat.unreadCount}
            <span className="visually-hidden"> unread messages</span>
          </span>
        ) : null}
        {item.priority ? (
          <span className="priority" role="img" aria-label="Priority" title="Priority">
            !
          </span>
        ) : null}
        {item.origin.kind === 'mail' && item.origin.hasAttachments === true ? (
          <span className="attachment-mark" title="Has attachments">
            <PaperclipIcon label="Has attachments" />
          </span>
        ) : null}
        {item.starred ? (
          <span className="star-mark" role="img" aria-label="Starred" title="Starred">
            ★
          </span>
        ) : null}
        {item.pending ? <span className="tag pending-tag">waiting to sync</span> : null}
        {item.snoozeEnded !== null ? <span className="tag snoozed-tag">snoozed until {timeOfDay(item.snoozeEnded)}</span> : null}
        {item.snoozedUntil !== null && item.snoozeEnded === null ? <span className="tag snoozed-tag">until {formatItemTime(item.snoozedUntil, now)}</span> : null}
        <time className="time" dateTime={new Date(item.timestamp).toISOString()} title={formatFullTime(item.timestamp)}>
          {formatItemTime(item.timestamp, now)}
        </time>
      </div>
      <div className="row-line">
        {chat !== undefined ? <ChatRowText item={item} invite={invite} direct={chat.direct === true} hit={hit} /> : <MailRowText item={item} hit={hit} />}
      </div>
    </div>
  );
});

function MailRowText({ item, hit }: { item: InboxItem; hit: SearchHit | undefined }) {
  return (
    <>
      <bdi className="title" dir="auto">
        <Marked text={item.title} ranges={hit?.title} />
      </bdi>
      {item.snippet !== '' ? (
        <>
          <span className="snippet-separator" aria-hidden="true">
            —
          </span>
          <bdi className="snippet" dir="auto">
            <Marked text={item.snippet} ranges={hit?.snippet} />
          </bdi>
        </>
      ) : null}
    </>
  );
}

function ChatRowText({ item, invite, direct, hit }: { item: InboxItem; invite: boolean; direct: boolean; hit: SearchHit | undefined }) {
  if (invite) {
    return (
      <>
        <span className="invite-tag">Invitation</span>
        <bdi className="snippet" dir="auto">
          {item.snippet !== '' ? item.snippet : `${item.sender} invited you`}
        </bdi>
      </>
    );
  }
  // In a direct chat the room is named after the other person: saying it twice tells nothing.
  const showSender = item.sender !== '' && !(direct && item.sender === item.title);
  return (
    <span className="snippet chat-snippet">
      {showSender ? (
        <>
          <bdi className="chat-snippet-sender" dir="auto">
            <Marked text={item.sender} ranges={hit?.sender} />
          </bdi>
          {': '}
        </>
      ) : null}
      <bdi dir="auto">
        <Marked text={item.snippet} ranges={hit?.snippet} />
      </bdi>
    </span>
  );
}

function ListMessage({ children }: { children: ReactNode }) {
  return <div className="list-message">{children}</div>;
}

const VIEW_TITLES: Record<TriageView, string> = { inbox: 'Inbox', snoozed: 'Snoozed', done: 'Done', starred: 'Starred', all: 'All' };
const EMPTY_VIEW: Record<TriageView, string> = {
  inbox: 'Nothing here yet. New mail, messages and feed alerts show up as they arrive.',
  snoozed: 'Nothing is snoozed. Snooze an item (b) to have it come back later.',
  done: 'Nothing is done yet. Mark an item done (e) to clear it from the Inbox.',
  starred: 'Nothing is starred. Star an item (s) to find it here.',
  all: 'Nothing here yet.',
};

/** The name of what the list shows, for its heading: "Inbox", or "Done · Mail", "Starred · Erin at work". */
function useViewTitle(): string {
  return useApp((s) => {
    const view = VIEW_TITLES[triageViewOf(s.view)];
    const account = s.view.accountId === undefined ? undefined : s.accounts.find((a) => a.account.id === s.view.accountId)?.account.displayName;
    const source = s.view.source === undefined ? undefined : { mail: 'Mail', chat: 'Chat', feed: 'Feeds' }[s.view.source];
    const filter = account ?? source;
    return filter === undefined ? view : `${view} · ${filter}`;
  });
}

function BulkBar() {
  const hub = useHub();
  const checked = useApp(useShallow((s) => s.checkedIds));
  if (checked.length === 0) return null;
  return (
    <div className="bulk-bar">
      <span className="bulk-count" role="status">
        {checked.length} selected
      </span>
      <TriageButtons itemIds={checked} look="icons" label={`Actions for ${checked.length} selected`} />
      <button type="button" className="link" onClick={() => clearChecked(hub)}>
        Clear selection
      </button>
    </div>
  );
}

export function InboxList() {
  const hub = useHub();
  const title = useViewTitle();
  const { items, query, searching, hits, selectedId, openId, checkedIds, triageView, listState, listError, searchError, searchErrorIsSyntax, loadingMore, hasMore, offset, count, hasNewer, moving } = useApp(
    useShallow((s) => {
      const q = activeQuery(s);
      return {
        items: visibleItems(s),
        // Search results are one list of their own; the inbox is a window onto the whole view.
        offset: q === '' ? s.windowStart : 0,
        count: q === '' ? listLength(s) : visibleItems(s).length,
        hasNewer: s.previous !== undefined,
        moving: s.jumping || s.loadingNewer,
        query: q,
        searching: q !== '' && s.resultsFor !== q,
        hits: q !== '' && s.resultsFor === q ? s.searchMeta?.hits : undefined,
        selectedId: s.selectedId,
        openId: s.openId,
        checkedIds: s.checkedIds,
        triageView: triageViewOf(s.view),
        listState: s.listState,
        listError: s.listError,
        searchError: s.searchError,
        searchErrorIsSyntax: s.searchErrorIsSyntax,
        loadingMore: s.loadingMore,
        hasMore: s.next !== undefined,
      };
    }),
  );
  // Row times change at midnight and each minute only matters for "today"; once a minute is plenty.
  const now = useNow(60_000);
  const scroller = useRef<HTMLDivElement>(null);
  const [hoveredId, setHoveredId] = useState<string | null>(null);
  const loadedIndex = selectedId === null ? -1 : items.findIndex((i) => i.id === selectedId);
  const selectedIndex = loadedIndex < 0 ? -1 : loadedIndex + offset;
  // The row the keyboard points at stays rendered wherever the list is scrolled: the listbox names it as its active descendant.
  const rangeExtractor = useCallback(
    (range: Range): number[] => {
      const indexes = defaultRangeExtractor(range);
      return selectedIndex < 0 || indexes.includes(selectedIndex) ? indexes : [...indexes, selectedIndex].sort((a, b) => a - b);
    },
    [selectedIndex],
  );
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => items[index - offset]?.id ?? `slot-${index}`,
    rangeExtractor,
  });
  const rows = virtualizer.getVirtualItems();
  const firstIndex = rows[0]?.index ?? -1;
  const lastIndex = rows.length > 0 ? (rows[rows.length - 1]?.index ?? 0) : -1;

  useEffect(() => {
    if (query !== '' || lastIndex < 0 || listState === 'loading' || moving) return;
    const loadedEnd = offset + items.length;
    if (firstIndex >= loadedEnd || lastIndex < offset) {
      // The scrollbar (or End, Home) went past everything loaded: load where the user is, not every page on the way.
      if (lastIndex >= count - 1) void jumpToOldest(hub);
      else if (firstIndex === 0) void loadFirstPage(hub);
      else void jumpToOffset(hub, firstIndex);
      return;
    }
    if (hasMore && !loadingMore && lastIndex >= loadedEnd - PREFETCH_ROWS) void loadMore(hub);
    if (hasNewer && firstIndex <= offset + PREFETCH_ROWS) void loadNewer(hub);
  }, [hub, query, hasMore, hasNewer, loadingMore, moving, listState, firstIndex, lastIndex, offset, count, items.length]);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onClick = useCallback(
    (id: string, e: MouseEvent): void => {
      if (e.shiftKey) checkRange(hub, id);
      else if (e.ctrlKey || e.metaKey) toggleChecked(hub, id);
      else void openItem(hub, id);
    },
    [hub],
  );
  const onMenu = useCallback(
    (id: string, e: MouseEvent): void => {
      e.preventDefault();
      openContextMenu(hub, id, e.clientX, e.clientY);
    },
    [hub],
  );
  const onHover = useCallback((id: string): void => setHoveredId(id), []);
  const checked = new Set(checkedIds);
  // Placed from the virtualizer's own numbers, so it follows the row while the list scrolls under the pointer.
  const hoveredRow = hoveredId === null ? undefined : rows.find((r) => items[r.index - offset]?.id === hoveredId);
  const hoveredTop = hoveredRow === undefined ? null : hoveredRow.start - (virtualizer.scrollOffset ?? 0);

  let message: ReactNode = null;
  if (query !== '') {
    if (searchError !== null) message = <ListMessage>{searchErrorIsSyntax ? searchError : `Search failed: ${searchError}`}</ListMessage>;
    else if (searching && items.length === 0) message = <ListMessage>Searching…</ListMessage>;
    else if (!searching && items.length === 0) message = <ListMessage>No results for “{query}”.</ListMessage>;
  } else if (listState === 'error') {
    message = (
      <ListMessage>
        Could not load the inbox: {listError}{' '}
        <button type="button" className="link" onClick={() => void loadFirstPage(hub)}>
          Try again
        </button>
      </ListMessage>
    );
  } else if (listState === 'loading' && items.length === 0) {
    message = <ListMessage>Loading…</ListMessage>;
  } else if (items.length === 0) {
    message = <ListMessage>{EMPTY_VIEW[triageView]}</ListMessage>;
  }

  return (
    <div className="list-pane" onMouseLeave={() => setHoveredId(null)}>
      <div className="list-header">
        <h1 className="list-title">{query === '' ? title : 'Search results'}</h1>
        {query === '' ? (
          <button type="button" className="link" onClick={() => void markViewRead(hub)} title="Shift+Esc">
            Mark all read
          </button>
        ) : null}
      </div>
      {query !== '' ? <SearchSummary /> : null}
      <BulkBar />
      {message}
      <div className="list-body">
        <div
          ref={scroller}
          className="list-scroller"
          role="listbox"
          aria-label="Inbox"
          aria-multiselectable="true"
          aria-activedescendant={selectedIndex >= 0 ? rowDomId(selectedIndex) : undefined}
          aria-busy={listState === 'loading' || searching || loadingMore || moving ? 'true' : undefined}
          tabIndex={0}
          onFocus={(e) => {
            if (e.target === e.currentTarget && selectedId === null && items[0] !== undefined) selectItem(hub, items[0].id);
          }}
        >
          <div className="list-spacer" role="presentation" style={{ height: virtualizer.getTotalSize() }}>
            {rows.map((row) => {
              const item = items[row.index - offset];
              // A row of the view that is not loaded yet: an empty row in its place until its page arrives.
              if (item === undefined) return <div key={row.key} className="row placeholder" aria-hidden="true" style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }} />;
              return (
                <InboxRow
                  key={item.id}
                  item={item}
                  index={row.index}
                  total={count}
                  start={row.start}
                  current={item.id === selectedId}
                  checked={checked.has(item.id)}
                  open={item.id === openId}
                  hit={hits?.[item.id]}
                  now={now}
                  onClick={onClick}
                  onMenu={onMenu}
                  onHover={onHover}
                />
              );
            })}
          </div>
        </div>
        {hoveredId !== null && hoveredTop !== null && hoveredTop >= 0 ? (
          // Outside the listbox: an option may not hold buttons, and the pointer reaches these here.
          <div className="row-actions" style={{ top: hoveredTop }}>
            <TriageButtons itemIds={checked.has(hoveredId) ? checkedIds : [hoveredId]} look="icons" label="Row actions" />
          </div>
        ) : null}
      </div>
      {loadingMore ? <div className="list-more">Loading more…</div> : null}
      <RowContextMenu />
    </div>
  );
}
