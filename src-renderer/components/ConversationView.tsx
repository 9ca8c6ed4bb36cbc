/**
 * A mail conversation in the reading pane: every message of it, oldest first, the one opened
 * expanded and the others as one line each (sender, time, the start of the text) that expand when
 * clicked. Quoted text is folded, since the messages it quotes are right there.
 */
import { useState } from 'react';
import type { ConversationEntry, ItemDetail } from '../../src-shared/domain.ts';
import { formatFullTime } from '../format/time.ts';
import { useHub } from '../state/hooks.ts';
import { MailBodyView } from './MailBodyView.tsx';
import { PaperclipIcon } from './PaperclipIcon.tsx';

export function ConversationView({ detail }: { detail: ItemDetail & { mail: NonNullable<ItemDetail['mail']>; conversation: ConversationEntry[] } }) {
  const others = detail.conversation.filter((e) => e.itemId !== detail.item.id).length;
  return (
    <section className="conversation" aria-label="Conversation">
      <p className="conversation-count">
        {detail.conversation.length} messages in this conversation
      </p>
      <ol className="conversation-list">
        {detail.conversation.map((entry) =>
          entry.itemId === detail.item.id ? (
            <li key={entry.itemId} className="conversation-entry open" aria-current="true">
              {others > 0 ? (
                <div className="conversation-line static">
                  <EntryLine entry={entry} />
                </div>
              ) : null}
              <MailBodyView detail={detail} mail={detail.mail} foldQuotes />
            </li>
          ) : (
            <CollapsedEntry key={entry.itemId} entry={entry} />
          ),
        )}
      </ol>
    </section>
  );
}

function EntryLine({ entry }: { entry: ConversationEntry }) {
  return (
    <>
      <bdi className="conversation-sender" dir="auto">
        {entry.sender}
      </bdi>
      {entry.hasAttachments ? <PaperclipIcon label="Has attachments" /> : null}
      <time className="conversation-time" dateTime={new Date(entry.timestamp).toISOString()}>
        {formatFullTime(entry.timestamp)}
      </time>
    </>
  );
}

function CollapsedEntry({ entry }: { entry: ConversationEntry }) {
  const hub = useHub();
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<ItemDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    const next = !open;
    setOpen(next);
    if (!next || loaded !== null) return;
    const result = await hub.client.call('item.get', { itemId: entry.itemId });
    if (result.ok) setLoaded(result.value);
    else setError(result.error.message);
  };
  return (
    <li className={`conversation-entry${open ? ' open' : ''}`}>
      <button type="button" className="conversation-line" aria-expanded={open} onClick={() => void toggle()}>
        <EntryLine entry={entry} />
        {!open ? (
          <bdi className="conversation-snippet" dir="auto">
            {entry.snippet}
          </bdi>
        ) : null}
      </button>
      {open && error !== null ? <p className="body-note error">Could not load this message: {error}</p> : null}
      {open && error === null && loaded === null ? <p className="body-note">Loading…</p> : null}
      {open && loaded?.mail !== undefined ? <MailBodyView detail={loaded} mail={loaded.mail} foldQuotes /> : null}
    </li>
  );
}
