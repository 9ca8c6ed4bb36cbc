/**
 * A chat item in the reading pane: the room's header, then either the invitation to answer or the
 * timeline with who is typing and the composer. The timeline is loaded while the room is shown and
 * reloaded by the hub's `chat.changed` events (chatActions.followChatEvents).
 */
import { useEffect, useId, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChatMessage } from '../../src-shared/api.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { quoteLine, typingText } from '../format/chat.ts';
import { answerInvite, cancelReply, leaveChatRoom, openChatRoom, reloadTimeline, sendMessage, setDraft, startReply, stopTyping } from '../state/chatActions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { ChatTimeline } from './ChatTimeline.tsx';
import { LockIcon } from './LockIcon.tsx';
import { SourceIcon } from './SourceIcon.tsx';
import { PaneTriageButtons } from './TriageButtons.tsx';
import { WhyButton, WhyPanel } from './WhyPanel.tsx';

/** The composer grows with its text up to this many lines, then scrolls. */
const COMPOSER_MAX_ROWS = 8;

/**
 * Publishes the composer's height as `--composer-height` on the document, so the toasts (fixed in
 * the bottom-right corner) sit above the composer instead of over its text and Send button.
 */
function useComposerHeight(form: RefObject<HTMLFormElement | null>): void {
  useLayoutEffect(() => {
    const el = form.current;
    const root = document.documentElement;
    if (el === null) return;
    const publish = (): void => root.style.setProperty('--composer-height', `${Math.ceil(el.getBoundingClientRect().height)}px`);
    publish();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(publish);
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      root.style.removeProperty('--composer-height');
    };
  }, [form]);
}

export function ChatRoom({ item }: { item: InboxItem }) {
  const hub = useHub();
  const itemId = item.id;
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    void openChatRoom(hub, itemId);
    return () => leaveChatRoom(hub, itemId);
  }, [hub, itemId]);

  const { loaded, loadState, loadError, roomName, topic, encrypted, membership, inviter, answering } = useApp(
    useShallow((s) => {
      const room = s.chatRoom?.itemId === itemId ? s.chatRoom : null;
      const timeline = room?.timeline ?? null;
      const origin = item.origin.kind === 'chat' ? item.origin : undefined;
      return {
        loaded: timeline !== null,
        loadState: room?.loadState ?? 'loading',
        loadError: room?.loadError ?? null,
        roomName: timeline?.roomName ?? item.title,
        topic: timeline?.topic,
        encrypted: timeline?.encrypted ?? origin?.encrypted === true,
        // The item knows about an invitation before the timeline has loaded.
        membership: timeline?.membership ?? (origin?.membership === 'invite' ? 'invite' : 'join'),
        inviter: timeline?.inviter ?? item.sender,
        answering: room?.answeringInvite ?? false,
      };
    }),
  );

  const onReply = (message: ChatMessage): void => {
    startReply(hub, message);
    input.current?.focus();
  };

  let main: ReactNode;
  if (membership === 'invite') {
    main = (
      <div className="chat-invite" role="group" aria-label="Invitation">
        <p className="chat-invite-text">
          <strong>
            <bdi dir="auto">{inviter}</bdi>
          </strong>{' '}
          invited you to{' '}
          <strong>
            <bdi dir="auto">{roomName}</bdi>
          </strong>
        </p>
        <div className="chat-invite-buttons">
          <button type="button" className="primary" disabled={answering} onClick={() => void answerInvite(hub, true)}>
            Accept
          </button>
          <button type="button" disabled={answering} onClick={() => void answerInvite(hub, false)}>
            Decline
          </button>
        </div>
      </div>
    );
  } else if (!loaded) {
    main =
      loadState === 'error' ? (
        <p className="body-note error chat-load-note">
          Could not load the messages: {loadError}{' '}
          <button type="button" className="link" onClick={() => void reloadTimeline(hub)}>
            Try again
          </button>
        </p>
      ) : (
        <p className="body-note chat-load-note">Loading messages…</p>
      );
  } else {
    main = (
      <>
        <ChatTimeline itemId={itemId} accountId={item.accountId} onReply={onReply} />
        <TypingLine itemId={itemId} />
        <Composer itemId={itemId} roomName={roomName} inputRef={input} />
      </>
    );
  }

  return (
    <article className="chat-room" aria-label={roomName}>
      <header className="message-header chat-header">
        <h2 className="message-title">
          <SourceIcon kind="chat" />
          <bdi className="chat-room-name" dir="auto">
            {roomName}
          </bdi>
          {encrypted ? (
            <span className="badge encrypted-badge" title="End-to-end encrypted: only the members’ devices can read its messages, not the server.">
              <LockIcon />
              Encrypted<span className="visually-hidden"> end to end</span>
            </span>
          ) : null}
          {membership === 'invite' ? <span className="badge invite-badge">Invitation</span> : null}
        </h2>
        <div className="message-actions">
          <PaneTriageButtons itemId={item.id} />
          <WhyButton item={item} />
        </div>
        <WhyPanel item={item} />
        {topic !== undefined && topic !== '' ? <p className="chat-topic">
            <bdi dir="auto">{topic}</bdi>
          </p> : null}
      </header>
      {main}
    </article>
  );
}

function TypingLine({ itemId }: { itemId: string }) {
  const text = useApp((s) => typingText(s.chatRoom?.itemId === itemId ? (s.chatRoom.timeline?.typing ?? []) : []));
  return (
    <p className="chat-typing" aria-live="polite">
      {text}
    </p>
  );
}

function Composer({ itemId, roomName, inputRef }: { itemId: string; roomName: string; inputRef: RefObject<HTMLTextAreaElement | null> }) {
  const hub = useHub();
  const errorId = useId();
  const form = useRef<HTMLFormElement>(null);
  useComposerHeight(form);
  const { draft, replyTo, sending, sendError } = useApp(
    useShallow((s) => {
      const room = s.chatRoom?.itemId === itemId ? s.chatRoom : null;
      return { draft: s.drafts[itemId] ?? '', replyTo: room?.replyTo ?? null, sending: room?.sending ?? false, sendError: room?.sendError ?? null };
    }),
  );

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    // Enter sends, Shift+Enter is a new line; Enter that ends an input-method composition is neither.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void sendMessage(hub);
    } else if (e.key === 'Escape' && replyTo !== null) {
      e.preventDefault();
      cancelReply(hub);
    }
  };

  return (
    <form
      ref={form}
      className="chat-composer"
      onSubmit={(e) => {
        e.preventDefault();
        void sendMessage(hub);
      }}
      aria-busy={sending ? 'true' : undefined}
    >
      {replyTo !== null ? (
        <div className="chat-replying">
          <span className="chat-replying-text">
            Replying to{' '}
            <strong>
              <bdi dir="auto">{replyTo.senderName}</bdi>
            </strong>
            : {quoteLine(replyTo.body, 100)}
          </span>
          <button type="button" className="icon-button" aria-label="Cancel reply" title="Cancel reply" onClick={() => cancelReply(hub)}>
            ×
          </button>
        </div>
      ) : null}
      <div className="chat-compose-row">
        <textarea
          ref={inputRef}
          aria-label="Message"
          aria-invalid={sendError !== null}
          aria-describedby={sendError !== null ? errorId : undefined}
          rows={Math.min(COMPOSER_MAX_ROWS, draft.split('\n').length)}
          placeholder={`Message ${roomName}`}
          value={draft}
          onChange={(e) => setDraft(hub, e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => stopTyping(hub)}
        />
        <button type="submit" className="primary" disabled={sending || draft.trim() === ''}>
          Send
        </button>
      </div>
      {sendError !== null ? (
        <p id={errorId} className="field-error" role="alert">
          {sendError}
        </p>
      ) : null}
    </form>
  );
}
