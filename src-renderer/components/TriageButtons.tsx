/**
 * The triage actions as buttons, named as the keyboard shortcuts dialog names them: in the reading
 * pane's toolbar (with words), over a row the pointer is on and above a bulk selection.
 */
import { useShallow } from 'zustand/react/shallow';
import type { InboxItem } from '../../src-shared/domain.ts';
import { findItem } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { openSnooze, targetIds, toggleDone, toggleStar, triage, undoLast } from '../state/triageActions.ts';

interface Props {
  itemIds: string[];
  /** 'words' for the reading pane and the bulk bar; 'icons' over a row, where room is short. */
  look: 'words' | 'icons';
  label: string;
}

function summarize(items: (InboxItem | undefined)[]): { done: boolean; starred: boolean; anyUnread: boolean; anyMail: boolean } {
  const known = items.filter((i): i is InboxItem => i !== undefined);
  return {
    done: known.length > 0 && known.every((i) => i.done),
    starred: known.length > 0 && known.every((i) => i.starred),
    anyUnread: known.some((i) => i.unread),
    anyMail: known.some((i) => i.source === 'mail'),
  };
}

export function TriageButtons({ itemIds, look, label }: Props) {
  const hub = useHub();
  const { done, starred, anyUnread, anyMail } = useApp(useShallow((s) => summarize(itemIds.map((id) => findItem(s, id)))));
  const button = (name: string, icon: string, onClick: () => void, extra: { pressed?: boolean; menu?: boolean } = {}) => (
    <button
      type="button"
      className={look === 'icons' ? 'icon-button triage-icon' : 'triage-button'}
      aria-label={look === 'icons' ? name : undefined}
      title={look === 'icons' ? name : undefined}
      aria-pressed={extra.pressed}
      aria-haspopup={extra.menu === true ? 'menu' : undefined}
      onClick={(e) => {
        e.stopPropagation();
        onClick();
      }}
    >
      {look === 'icons' ? <span aria-hidden="true">{icon}</span> : name}
    </button>
  );
  return (
    <div className={`triage-buttons triage-${look}`} role="toolbar" aria-label={label}>
      {/* Pressed on done items: pressing it again moves them back to the Inbox. */}
      {button('Done', '✓', () => void toggleDone(hub, itemIds), { pressed: done })}
      {button('Snooze', '◔', () => openSnooze(hub, itemIds), { menu: true })}
      {button('Star', starred ? '★' : '☆', () => void toggleStar(hub, itemIds), { pressed: starred })}
      {button('Delete', '✕', () => void triage(hub, itemIds, 'delete'))}
      {anyMail ? button('Mark as spam', '⚠', () => void triage(hub, itemIds, 'spam')) : null}
      {anyUnread
        ? button('Mark as read', '○', () => void triage(hub, itemIds, 'read'))
        : button('Mark as unread', '●', () => void triage(hub, itemIds, 'unread'))}
      {look === 'words' ? button('Undo', '↶', () => void undoLast(hub)) : null}
    </div>
  );
}

/** The open item's actions; with items picked for a bulk action that include it, they apply to all of them. */
export function PaneTriageButtons({ itemId }: { itemId: string }) {
  const ids = useApp(useShallow((s) => targetIds(s, itemId)));
  return <TriageButtons itemIds={ids} look="words" label={ids.length === 1 ? 'Item actions' : `Actions for ${ids.length} selected`} />;
}

