/**
 * "Why": what the rules decided about the open item (notified, counted, kept as read, priority) and
 * why, from `item.why`, with the one-step rules that change it — "Mute this room", "Mute this
 * sender", "Mute this feed", "Always notify for this sender".
 */
import { useEffect, useId } from 'react';
import type { ItemWhy } from '../../src-shared/attention.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { addRuleFromItem, closeWhy, conversationWord, muteOfItem, openWhy, reloadWhy, senderOf, unmuteFromItem } from '../state/attentionActions.ts';
import { useApp, useHub } from '../state/hooks.ts';

export const WHY_PANEL_ID = 'why-panel';

export function WhyButton({ item }: { item: InboxItem }) {
  const hub = useHub();
  const open = useApp((s) => s.why?.itemId === item.id);
  return (
    <button
      type="button"
      aria-expanded={open}
      aria-controls={open ? WHY_PANEL_ID : undefined}
      title="Why this item notified, counts or is read"
      onClick={() => (open ? closeWhy(hub) : void openWhy(hub, item.id))}
    >
      Why
    </button>
  );
}

/** The first line in the user's words: what happened, then the rule's reason. */
export function decisionLine(why: ItemWhy): string {
  const { reason } = why;
  switch (reason.level) {
    case 'notify':
      return reason.notified
        ? `Notified because: ${reason.text}`
        : `Not notified${reason.notNotifiedBecause === undefined ? '' : ` (${reason.notNotifiedBecause})`}, though the rules say notify because: ${reason.text}`;
    case 'badge':
      return `Counted without a notification because: ${reason.text}`;
    case 'silent':
      return `Kept as read, not counted, because: ${reason.text}`;
    default:
      return reason.level satisfies never;
  }
}

export function WhyPanel({ item }: { item: InboxItem }) {
  const hub = useHub();
  const id = useId();
  const view = useApp((s) => (s.why?.itemId === item.id ? s.why : null));
  const sender = useApp((s) => senderOf(s, item));
  const mute = useApp((s) => muteOfItem(s, item.id));
  // New content in the item (a room's next message) was decided anew: an open panel follows it.
  useEffect(() => {
    if (hub.store.getState().why?.itemId === item.id) void reloadWhy(hub, item.id);
  }, [hub, item.id, item.timestamp]);
  if (view === null) return null;
  const { why } = view;
  const word = conversationWord(item);
  return (
    <section id={WHY_PANEL_ID} className="why-panel" aria-labelledby={`${id}-title`}>
      <div className="why-head">
        <h3 id={`${id}-title`}>Why this item</h3>
        <button type="button" className="link" onClick={() => closeWhy(hub)}>
          Close<span className="visually-hidden"> why this item</span>
        </button>
      </div>
      {view.loadState === 'loading' ? <p className="hint">Asking the rules…</p> : null}
      {view.loadState === 'error' ? (
        <p className="form-error" role="alert">
          Could not tell why: {view.error}{' '}
          <button type="button" className="link" onClick={() => void openWhy(hub, item.id)}>
            Try again
          </button>
        </p>
      ) : null}
      {why !== null ? (
        <ul className="why-facts">
          <li className="why-decision">{decisionLine(why)}</li>
          {why.reason.priority ? <li>Priority: counted apart and marked, and it can break through quiet hours if you chose that.</li> : null}
          <li>{why.unreadBecause}</li>
          <li>{why.counted ? 'Counted in the unread badge.' : 'Not counted in the unread badge.'}</li>
        </ul>
      ) : null}
      <div className="why-actions" role="group" aria-label="Rules from this item">
        {mute !== undefined ? (
          <button type="button" disabled={view.busy} onClick={() => void unmuteFromItem(hub, item, mute)}>
            Unmute this {word}
          </button>
        ) : (
          <button type="button" disabled={view.busy} onClick={() => void addRuleFromItem(hub, item, 'mute-conversation')}>
            Mute this {word}
          </button>
        )}
        {sender !== undefined ? (
          <>
            <button type="button" disabled={view.busy} title={sender} onClick={() => void addRuleFromItem(hub, item, 'mute-sender')}>
              Mute this sender
            </button>
            <button type="button" disabled={view.busy} title={sender} onClick={() => void addRuleFromItem(hub, item, 'always-sender')}>
              Always notify for this sender
            </button>
          </>
        ) : null}
      </div>
      <p className={view.outcome?.ok === false ? 'form-error' : 'hint'} role="status">
        {view.outcome?.text ?? ''}
      </p>
    </section>
  );
}
