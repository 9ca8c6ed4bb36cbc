/**
 * The open room's messages, oldest first, in a scrolling log. It sticks to the bottom while the user
 * is there, pages back when they reach the top (keeping what they look at in place), and draws each
 * message from plain text or the hub's sanitized rich tree; nothing is ever parsed as HTML.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChatMessage } from '../../src-shared/api.ts';
import { missingCase } from '../../src-shared/domain.ts';
import { formatClock, quoteLine, reactionLabel, timelineRows } from '../format/chat.ts';
import { formatFullTime } from '../format/time.ts';
import { loadChatMedia, loadOlderMessages, retryMessage } from '../state/chatActions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { openSecurity } from '../state/securityActions.ts';
import { ChatImage } from './ChatImage.tsx';
import { LockIcon } from './LockIcon.tsx';
import { TermMarks } from './Highlighted.tsx';
import { RichContent, type ImageResolver } from './RichContent.tsx';
import { useNow } from './useNow.ts';

/** Closer than this to the bottom counts as "at the bottom": new messages scroll into view. */
const STICK_PX = 48;
/** Closer than this to the top asks for older messages, so they are usually there before the user arrives. */
const OLDER_PX = 120;
const NO_MESSAGES: ChatMessage[] = [];

export function ChatTimeline({ itemId, accountId, onReply }: { itemId: string; accountId: string; onReply: (message: ChatMessage) => void }) {
  const hub = useHub();
  const { messages, hasOlder, loadingOlder, roomName, focusId } = useApp(
    useShallow((s) => {
      const timeline = s.chatRoom?.itemId === itemId ? s.chatRoom.timeline : null;
      return {
        focusId: s.chatRoom?.itemId === itemId ? s.chatRoom.focusMessageId : undefined,
        messages: timeline?.messages ?? NO_MESSAGES,
        hasOlder: timeline?.hasOlder ?? false,
        loadingOlder: s.chatRoom?.itemId === itemId && s.chatRoom.loadingOlder,
        roomName: timeline?.roomName ?? '',
      };
    }),
  );
  // Day separators say "Today"; re-reading the clock each minute moves them on at midnight.
  const now = useNow(60_000);
  const rows = useMemo(() => timelineRows(messages, now), [messages, now]);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  /** Distance from the bottom when older messages were asked for: restored once they are in. */
  const anchor = useRef<number | null>(null);
  const lastId = useRef<string | undefined>(undefined);
  const filledFor = useRef(-1);
  /** The search hit this room was opened at, once it has been scrolled to. */
  const focused = useRef<string | undefined>(undefined);

  const requestOlder = useCallback((): void => {
    const el = scroller.current;
    const room = hub.store.getState().chatRoom;
    if (el === null || room?.itemId !== itemId || room.loadingOlder || room.timeline?.hasOlder !== true) return;
    anchor.current = el.scrollHeight - el.scrollTop;
    void loadOlderMessages(hub);
  }, [hub, itemId]);

  const onScroll = (): void => {
    const el = scroller.current;
    if (el === null) return;
    stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (el.scrollTop < OLDER_PX) requestOlder();
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const last = messages[messages.length - 1];
    // What the user just sent is what they want to see, wherever they had scrolled to.
    if (last !== undefined && last.id !== lastId.current && last.mine && lastId.current !== undefined) stuck.current = true;
    lastId.current = last?.id;
    // Opened from a search: the message that matched is shown in the middle, not the latest one.
    if (focusId !== undefined && focused.current !== focusId) {
      const hit = el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(focusId)}"]`);
      if (hit !== null) {
        focused.current = focusId;
        stuck.current = false;
        hit.scrollIntoView({ block: 'center' });
        return;
      }
    }
    if (anchor.current !== null) {
      if (loadingOlder) return;
      el.scrollTop = el.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (stuck.current) {
      el.scrollTop = el.scrollHeight;
    }
    // A first page shorter than the pane cannot be scrolled up: fetch more once per page until it can.
    if (el.scrollHeight <= el.clientHeight && filledFor.current !== messages.length) {
      filledFor.current = messages.length;
      requestOlder();
    }
  }, [rows, messages, loadingOlder, requestOlder, focusId]);

  useEffect(() => {
    // Images and the rich bodies settle after the first layout; keep the bottom in view meanwhile.
    const el = scroller.current;
    const inner = content.current;
    if (el === null || inner === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stuck.current && anchor.current === null) el.scrollTop = el.scrollHeight;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, []);

  const resolveImage = useCallback<ImageResolver>((src) => loadChatMedia(hub, itemId, src, true).then((r) => (r.ok ? r.value : null)), [hub, itemId]);

  return (
    <div ref={scroller} className="chat-log" role="log" aria-label="Messages" aria-busy={loadingOlder ? 'true' : undefined} tabIndex={0} onScroll={onScroll}>
      <div ref={content} className="chat-log-content">
        {loadingOlder ? <p className="chat-log-note">Loading older messages…</p> : null}
        {!hasOlder && !loadingOlder ? <p className="chat-log-note">This is the beginning of {roomName === '' ? 'the room' : <bdi dir="auto">{roomName}</bdi>}.</p> : null}
        {rows.map((row) => {
          switch (row.kind) {
            case 'day':
              return (
                <div key={row.key} className="chat-day" role="separator" aria-label={row.label}>
                  <span>{row.label}</span>
                </div>
              );
            case 'notice':
              return (
                <p key={row.key} className="chat-notice" title={formatFullTime(row.message.timestamp)}>
                  {row.message.body}
                </p>
              );
            case 'message':
              return (
                <MessageRow
                  key={row.key}
                  itemId={itemId}
                  accountId={accountId}
                  message={row.message}
                  found={row.message.id === focusId}
                  showSender={row.showSender}
                  onReply={onReply}
                  resolveImage={resolveImage}
                />
              );
            default:
              return missingCase(row);
          }
        })}
      </div>
    </div>
  );
}

/** A message can be answered once the server has it and there is something to quote. */
function canReply(message: ChatMessage): boolean {
  return message.sendState === undefined && message.kind !== 'redacted' && message.kind !== 'undecryptable' && message.kind !== 'membership';
}

interface MessageRowProps {
  itemId: string;
  accountId: string;
  message: ChatMessage;
  /** The message a search matched: marked, and announced as the current one. */
  found: boolean;
  showSender: boolean;
  onReply: (message: ChatMessage) => void;
  resolveImage: ImageResolver;
}

function MessageRow({ itemId, accountId, message, found, showSender, onReply, resolveImage }: MessageRowProps) {
  const hub = useHub();
  const classes = ['chat-message'];
  if (showSender) classes.push('first');
  if (message.mine) classes.push('mine');
  if (message.sendState !== undefined) classes.push(`send-${message.sendState}`);
  if (found) classes.push('found');
  const time = (
    <time className="chat-time" dateTime={new Date(message.timestamp).toISOString()} title={formatFullTime(message.timestamp)}>
      {formatClock(message.timestamp)}
    </time>
  );
  return (
    <div className={classes.join(' ')} data-message-id={message.id} aria-current={found ? 'true' : undefined}>
      {found ? <span className="found-label">Search match</span> : null}
      {showSender ? (
        <div className="chat-meta">
          <bdi className="chat-sender" dir="auto">
            {message.senderName}
          </bdi>
          {time}
        </div>
      ) : (
        <span className="chat-gutter-time">{time}</span>
      )}
      {message.replyTo !== undefined ? (
        <blockquote className="chat-quote">
          <bdi className="chat-quote-sender" dir="auto">
            {message.replyTo.senderName}
          </bdi>
          <bdi className="chat-quote-body" dir="auto">
            {quoteLine(message.replyTo.body)}
          </bdi>
        </blockquote>
      ) : null}
      <MessageBody itemId={itemId} accountId={accountId} message={message} resolveImage={resolveImage} />
      {message.edited || message.sendState !== undefined ? (
        <p className="chat-status">
          {message.edited ? <span className="chat-edited">(edited)</span> : null}
          {message.sendState === 'sending' ? <span className="chat-sending">Sending…</span> : null}
          {message.sendState === 'failed' ? (
            <>
              <span className="chat-failed">Failed to send</span>
              <button type="button" className="link" onClick={() => void retryMessage(hub, message.id)}>
                Retry
              </button>
            </>
          ) : null}
        </p>
      ) : null}
      {message.reactions.length > 0 ? (
        <ul className="chat-reactions" aria-label="Reactions">
          {message.reactions.map((r) => (
            <li key={r.key} className={`chat-reaction${r.mine ? ' mine' : ''}`} title={reactionLabel(r)}>
              {r.key} {r.count}
              {r.mine ? <span className="visually-hidden">, including you</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {canReply(message) ? (
        <button type="button" className="chat-reply-button" aria-label="Reply" title={`Reply to ${message.senderName}`} onClick={() => onReply(message)}>
          Reply
        </button>
      ) : null}
    </div>
  );
}

function MessageBody({ itemId, accountId, message, resolveImage }: { itemId: string; accountId: string; message: ChatMessage; resolveImage: ImageResolver }) {
  switch (message.kind) {
    case 'redacted':
      return <p className="chat-text chat-muted chat-deleted">Message deleted</p>;
    case 'undecryptable':
      return <UndecryptableBody accountId={accountId} message={message} />;
    case 'image':
      return message.image !== undefined ? <ChatImage itemId={itemId} image={message.image} /> : <p className="chat-text">{message.body}</p>;
    case 'file':
      return (
        <p className="chat-text chat-file">
          File: <TermMarks text={message.body} />
        </p>
      );
    case 'emote':
      return (
        <p className="chat-text chat-emote">
          * <bdi dir="auto">{message.senderName}</bdi> <TermMarks text={message.body} />
        </p>
      );
    case 'text':
    case 'notice':
    case 'membership':
    case 'other': {
      const kindClass = message.kind === 'notice' ? ' chat-bot' : '';
      if (message.content !== undefined && message.content.length > 0) {
        return <RichContent nodes={message.content} showImages={false} resolveImage={resolveImage} className={`chat-rich${kindClass}`} />;
      }
      return (
        <p className={`chat-text${kindClass}`}>
          <TermMarks text={message.body} />
        </p>
      );
    }
    default:
      return missingCase(message.kind);
  }
}

/**
 * A message this device cannot read (yet): the hub's words for why, in the muted "locked" style. The
 * hub retries by itself when keys arrive; history only the key backup holds needs the user, so that
 * case links to the account's Security dialog.
 */
function UndecryptableBody({ accountId, message }: { accountId: string; message: ChatMessage }) {
  const hub = useHub();
  const body = message.body.trim() === '' ? 'Encrypted message that this device cannot read yet' : message.body;
  return (
    <p className="chat-text chat-muted chat-locked" data-problem={message.decryption?.problem}>
      <LockIcon className="chat-locked-icon" />
      <span>{body}</span>
      {message.decryption?.problem === 'needs-backup' ? (
        <>
          {' '}
          <button type="button" className="link chat-restore" aria-haspopup="dialog" onClick={() => void openSecurity(hub, accountId)}>
            Restore from backup
          </button>
        </>
      ) : null}
    </p>
  );
}
