import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { InboxItem } from '../../src-shared/domain.ts';
import { formatFullTime, formatItemTime } from '../format/time.ts';
import { loadFirstPage, loadMore, openItem } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { activeQuery, visibleItems } from '../state/store.ts';
import { SenderWarningMark } from './SenderWarningMark.tsx';
import { SourceIcon } from './SourceIcon.tsx';
import { useNow } from './useNow.ts';

export const ROW_HEIGHT = 58;
/** Start fetching the next page this many rows before the end, so scrolling never waits. */
const PREFETCH_ROWS = 30;

interface RowProps {
  item: InboxItem;
  index: number;
  total: number;
  start: number;
  selected: boolean;
  open: boolean;
  now: number;
  onOpen: (id: string) => void;
}

const InboxRow = memo(function InboxRow({ item, index, total, start, selected, open, now, onOpen }: RowProps) {
  const chat = item.origin.kind === 'chat' ? item.origin : undefined;
  const invite = chat?.membership === 'invite';
  const classes = ['row'];
  if (item.unread) classes.push('unread');
  if (selected) classes.push('selected');
  if (open) classes.push('open');
  if (invite) classes.push('invite');
  return (
    <div
      role="listitem"
      className={classes.join(' ')}
      aria-current={selected ? 'true' : undefined}
      aria-setsize={total}
      aria-posinset={index + 1}
      data-item-id={item.id}
      data-unread={item.unread ? 'true' : 'false'}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      onClick={() => onOpen(item.id)}
    >
      <div className="row-line">
        <SourceIcon kind={item.source} />
        {item.unread ? <span className="unread-dot" role="img" aria-label="Unread" /> : null}
        {/* A room is known by its name; the latest message's sender goes with the message below. */}
        {/* Every text from a server is isolated (<bdi dir="auto">): its direction cannot spill into the row. */}
        <bdi className="sender" dir="auto">
          {chat !== undefined ? item.title : item.sender}
        </bdi>
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
        <time className="time" dateTime={new Date(item.timestamp).toISOString()} title={formatFullTime(item.timestamp)}>
          {formatItemTime(item.timestamp, now)}
        </time>
      </div>
      <div className="row-line">{chat !== undefined ? <ChatRowText item={item} invite={invite} direct={chat.direct === true} /> : <MailRowText item={item} />}</div>
    </div>
  );
});

function MailRowText({ item }: { item: InboxItem }) {
  return (
    <>
      <bdi className="title" dir="auto">
        {item.title}
      </bdi>
      {item.snippet !== '' ? (
        <>
          <span className="snippet-separator" aria-hidden="true">
            —
          </span>
          <bdi className="snippet" dir="auto">
            {item.snippet}
          </bdi>
        </>
      ) : null}
    </>
  );
}

function ChatRowText({ item, invite, direct }: { item: InboxItem; invite: boolean; direct: boolean }) {
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
            {item.sender}
          </bdi>
          {': '}
        </>
      ) : null}
      <bdi dir="auto">{item.snippet}</bdi>
    </span>
  );
}

function ListMessage({ children }: { children: ReactNode }) {
  return <div className="list-message">{children}</div>;
}

export function InboxList() {
  const hub = useHub();
  const { items, query, searching, selectedId, openId, listState, listError, searchError, loadingMore, hasMore } = useApp(
    useShallow((s) => {
      const q = activeQuery(s);
      return {
        items: visibleItems(s),
        query: q,
        searching: q !== '' && s.resultsFor !== q,
        selectedId: s.selectedId,
        openId: s.openId,
        listState: s.listState,
        listError: s.listError,
        searchError: s.searchError,
        loadingMore: s.loadingMore,
        hasMore: s.next !== undefined,
      };
    }),
  );
  // Row times change at midnight and each minute only matters for "today"; once a minute is plenty.
  const now = useNow(60_000);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (index) => items[index]?.id ?? index,
  });
  const rows = virtualizer.getVirtualItems();
  const lastIndex = rows.length > 0 ? (rows[rows.length - 1]?.index ?? 0) : -1;

  useEffect(() => {
    if (query === '' && hasMore && !loadingMore && lastIndex >= items.length - PREFETCH_ROWS) void loadMore(hub);
  }, [hub, query, hasMore, loadingMore, lastIndex, items.length]);

  const selectedIndex = selectedId === null ? -1 : items.findIndex((i) => i.id === selectedId);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onOpen = useCallback((id: string): void => void openItem(hub, id), [hub]);

  let message: ReactNode = null;
  if (query !== '') {
    if (searchError !== null) message = <ListMessage>Search failed: {searchError}</ListMessage>;
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
    message = <ListMessage>Nothing here yet. New mail, messages and feed alerts show up as they arrive.</ListMessage>;
  }

  return (
    <div className="list-pane">
      {message}
      <div
        ref={scroller}
        className="list-scroller"
        role="list"
        aria-label="Inbox"
        aria-busy={listState === 'loading' || searching || loadingMore ? 'true' : undefined}
        tabIndex={0}
      >
        <div className="list-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {rows.map((row) => {
            const item = items[row.index];
            if (item === undefined) return null;
            return (
              <InboxRow
                key={item.id}
                item={item}
                index={row.index}
                total={items.length}
                start={row.start}
                selected={item.id === selectedId}
                open={item.id === openId}
                now={now}
                onOpen={onOpen}
              />
            );
          })}
        </div>
      </div>
      {loadingMore ? <div className="list-more">Loading more…</div> : null}
    </div>
  );
}
