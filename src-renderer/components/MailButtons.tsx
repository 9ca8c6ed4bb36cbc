/**
 * Where writing mail starts: Reply, Reply all and Forward on a mail in the reading pane, "New
 * message" in the top bar, and the outbox's "waiting to send" with what it is waiting for.
 */
import { useEffect, useId, useState } from 'react';
import type { InboxItem } from '../../src-shared/domain.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { discardDraft, followOutbox, openComposer, openDraft, retryOutgoing, sendingAccounts } from '../state/mailActions.ts';

export function MailAnswerButtons({ item }: { item: InboxItem }) {
  const hub = useHub();
  if (item.source !== 'mail') return null;
  return (
    <span className="mail-answer-buttons" role="group" aria-label="Answer">
      <button type="button" title="Reply (r)" onClick={() => void openComposer(hub, 'reply', { itemId: item.id })}>
        Reply
      </button>
      <button type="button" onClick={() => void openComposer(hub, 'replyAll', { itemId: item.id })}>
        Reply all
      </button>
      <button type="button" onClick={() => void openComposer(hub, 'forward', { itemId: item.id })}>
        Forward
      </button>
    </span>
  );
}

export function NewMessageButton() {
  const hub = useHub();
  // Re-render when the accounts or the kinds (which say who can send) arrive or change; the list itself is derived.
  useApp((s) => s.accounts);
  useApp((s) => s.kinds);
  const accounts = sendingAccounts(hub);
  if (accounts.length === 0) return null;
  return (
    <button type="button" className="primary new-message" onClick={() => void openComposer(hub, 'new', { accountId: accounts[0]!.id })}>
      New message
    </button>
  );
}

const STATE_WORDS = { waiting: 'waiting to send', sending: 'sending', filing: 'sent, filing the copy', unsure: 'may not have been sent' } as const;

export function OutboxStatus() {
  const hub = useHub();
  const outbox = useApp((s) => s.outbox);
  const [open, setOpen] = useState(false);
  const id = useId();
  useEffect(() => followOutbox(hub), [hub]);
  if (outbox.length === 0) return null;
  const unsure = outbox.some((m) => m.state === 'unsure');
  return (
    <div className="outbox-status">
      <button type="button" className={unsure ? 'outbox-button unsure' : 'outbox-button'} aria-expanded={open} aria-controls={`${id}-list`} onClick={() => setOpen(!open)}>
        {outbox.length === 1 ? '1 message' : `${outbox.length} messages`} {unsure ? 'need a decision' : 'waiting to send'}
      </button>
      {open ? (
        <section id={`${id}-list`} className="outbox-list" aria-label="Outbox">
          <ul>
            {outbox.map((m) => (
              <li key={m.id}>
                <div className="outbox-subject">
                  <bdi dir="auto">{m.subject || '(no subject)'}</bdi> <span className="outbox-to">to {m.to.join(', ')}</span>
                </div>
                <div className="outbox-state">
                  {STATE_WORDS[m.state]}
                  {m.lastError !== undefined ? `: ${m.lastError}` : ''}
                </div>
                {m.state === 'waiting' ? (
                  <button type="button" onClick={() => void retryOutgoing(hub, m.id)}>
                    Send now
                  </button>
                ) : null}
                {m.state === 'unsure' ? (
                  <>
                    <button type="button" onClick={() => void retryOutgoing(hub, m.id)}>
                      Send again
                    </button>{' '}
                    <button type="button" onClick={() => void retryOutgoing(hub, m.id, true)}>
                      Keep as sent
                    </button>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** Drafts kept on this computer: open one to go on writing (a refused one shows why), or discard it. */
export function DraftsStatus() {
  const hub = useHub();
  const drafts = useApp((s) => s.mailDrafts);
  const composing = useApp((s) => s.composer !== null);
  const [open, setOpen] = useState(false);
  const id = useId();
  if (drafts.length === 0 || composing) return null;
  const refused = drafts.some((d) => d.problem !== undefined);
  return (
    <div className="outbox-status">
      <button type="button" className={refused ? 'outbox-button unsure' : 'outbox-button'} aria-expanded={open} aria-controls={`${id}-list`} onClick={() => setOpen(!open)}>
        {drafts.length === 1 ? '1 draft' : `${drafts.length} drafts`}
      </button>
      {open ? (
        <section id={`${id}-list`} className="outbox-list" aria-label="Drafts">
          <ul>
            {drafts.map((d) => (
              <li key={d.draftId}>
                <div className="outbox-subject">
                  <bdi dir="auto">{d.subject || '(no subject)'}</bdi> {d.to.length > 0 ? <span className="outbox-to">to {d.to.join(', ')}</span> : null}
                </div>
                {d.problem !== undefined ? <div className="outbox-state">Not sent: {d.problem}</div> : null}
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    openDraft(hub, d);
                  }}
                >
                  Open
                </button>{' '}
                <button type="button" onClick={() => void discardDraft(hub, d.draftId!)}>
                  Discard
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
