/**
 * The triage dialogs: the Snooze menu, the confirmation a delete may need and the "Keyboard
 * shortcuts" list; and the row context menu. Each gives focus back to the list when it closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatSnoozeTime, parseLocalDateTime, SNOOZE_CHOICES, snoozeUntil, toLocalDateTime } from '../format/snooze.ts';
import { findItem } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { SHORTCUTS } from '../state/keys.ts';
import {
  cancelDelete,
  closeContextMenu,
  closeShortcuts,
  closeSnooze,
  confirmDelete,
  openSnooze,
  snoozeChosen,
  targetIds,
  toggleDone,
  toggleRead,
  toggleStar,
  triage,
  undoLast,
} from '../state/triageActions.ts';
import { focusList } from './focusList.ts';
import { useModalDialog } from './useModalDialog.ts';

/** Up and Down move between a menu's items, Home and End to its ends (the ARIA menu pattern). */
function menuKeys(e: KeyboardEvent<HTMLElement>): void {
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role^="menuitem"]')];
  const at = items.indexOf(document.activeElement as HTMLElement);
  let next = -1;
  if (e.key === 'ArrowDown') next = (at + 1) % items.length;
  else if (e.key === 'ArrowUp') next = (at - 1 + items.length) % items.length;
  else if (e.key === 'Home') next = 0;
  else if (e.key === 'End') next = items.length - 1;
  if (next === -1) return;
  e.preventDefault();
  items[next]?.focus();
}

/** Gives the focus back to the list once the dialog is gone (after the browser's own restore). */
function useFocusListAfter(): void {
  useEffect(() => () => void setTimeout(focusList, 0), []);
}

export function TriageDialogs() {
  const snoozing = useApp((s) => s.snoozeFor !== null);
  const confirming = useApp((s) => s.confirmDelete !== null);
  const shortcuts = useApp((s) => s.shortcutsOpen);
  return (
    <>
      {snoozing ? <SnoozeMenu /> : null}
      {confirming ? <ConfirmDelete /> : null}
      {shortcuts ? <ShortcutsDialog /> : null}
    </>
  );
}

function SnoozeMenu() {
  const hub = useHub();
  const dialog = useModalDialog();
  const id = useId();
  const count = useApp((s) => s.snoozeFor?.length ?? 0);
  const [now] = useState(() => Date.now());
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState(() => toLocalDateTime(snoozeUntil('tomorrow', now)));
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLButtonElement>(null);
  const field = useRef<HTMLInputElement>(null);
  useFocusListAfter();
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    if (picking) field.current?.focus();
  }, [picking]);

  const pick = (): void => {
    const until = parseLocalDateTime(picked);
    if (until === null) setError('Enter a date and a time.');
    else if (until <= Date.now()) setError('Pick a time in the future.');
    else void snoozeChosen(hub, until);
  };

  return (
    <dialog
      ref={dialog}
      className="dialog snooze-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        closeSnooze(hub);
      }}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        Snooze {count === 1 ? 'until' : `${count} items until`}
      </h2>
      <div role="menu" aria-labelledby={`${id}-title`} className="snooze-menu" onKeyDown={menuKeys}>
        {SNOOZE_CHOICES.map((c, i) => {
          const until = snoozeUntil(c.choice, now);
          return (
            <button key={c.choice} ref={i === 0 ? first : undefined} type="button" role="menuitem" className="menu-item" onClick={() => void snoozeChosen(hub, until)}>
              <span>{c.label}</span>
              <span className="menu-hint">{formatSnoozeTime(until)}</span>
            </button>
          );
        })}
        <button type="button" role="menuitem" className="menu-item" aria-expanded={picking} onClick={() => setPicking(true)}>
          Pick a time…
        </button>
      </div>
      {picking ? (
        <form
          className="snooze-pick"
          onSubmit={(e) => {
            e.preventDefault();
            pick();
          }}
        >
          <label htmlFor={`${id}-at`}>Snooze until</label>
          <input
            ref={field}
            id={`${id}-at`}
            type="datetime-local"
            value={picked}
            min={toLocalDateTime(now)}
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : `${id}-error`}
            onChange={(e) => {
              setPicked(e.target.value);
              setError(null);
            }}
          />
          {error !== null ? (
            <p id={`${id}-error`} className="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary">
            Snooze
          </button>
        </form>
      ) : null}
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeSnooze(hub)}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

function ConfirmDelete() {
  const hub = useHub();
  const dialog = useModalDialog();
  const id = useId();
  const message = useApp((s) => s.confirmDelete?.message ?? '');
  const cancel = useRef<HTMLButtonElement>(null);
  useFocusListAfter();
  // The safe answer has the focus: Enter right after # does not delete for good.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <dialog
      ref={dialog}
      className="dialog confirm-dialog"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onCancel={(e) => {
        e.preventDefault();
        cancelDelete(hub);
      }}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        Delete?
      </h2>
      <p id={`${id}-text`}>{message}</p>
      <div className="dialog-buttons">
        <button ref={cancel} type="button" onClick={() => cancelDelete(hub)}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => void confirmDelete(hub)}>
          Delete
        </button>
      </div>
    </dialog>
  );
}

function ShortcutsDialog() {
  const hub = useHub();
  const dialog = useModalDialog();
  useFocusListAfter();
  useEffect(() => dialog.current?.focus(), [dialog]);
  return (
    <dialog
      ref={dialog}
      className="dialog shortcuts-dialog"
      aria-label="Keyboard shortcuts"
      tabIndex={-1}
      onCancel={(e) => {
        e.preventDefault();
        closeShortcuts(hub);
      }}
    >
      <h2 className="dialog-title">Keyboard shortcuts</h2>
      <p className="hint">They work outside text fields.</p>
      <table className="shortcuts">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.command}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 ? ' or ' : null}
                    {k.split(' ').map((part, j) => (
                      <span key={part}>
                        {j > 0 ? ' then ' : null}
                        <kbd>{part}</kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </td>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeShortcuts(hub)}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** Drawn inside the list's landmark (it floats at the pointer all the same). */
export function RowContextMenu() {
  const open = useApp((s) => s.contextMenu !== null);
  return open ? <OpenRowContextMenu /> : null;
}

function OpenRowContextMenu() {
  const hub = useHub();
  const menu = useApp((s) => s.contextMenu);
  const ids = useApp(useShallow((s) => (s.contextMenu === null ? [] : targetIds(s, s.contextMenu.itemId))));
  const item = useApp((s) => (s.contextMenu === null ? undefined : findItem(s, s.contextMenu.itemId)));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
    const away = (e: MouseEvent): void => {
      if (!(e.target instanceof Node) || ref.current?.contains(e.target) !== true) closeContextMenu(hub);
    };
    document.addEventListener('mousedown', away);
    return () => {
      document.removeEventListener('mousedown', away);
      setTimeout(focusList, 0);
    };
  }, [hub]);
  if (menu === null || item === undefined) return null;
  const run = (action: () => unknown) => () => {
    closeContextMenu(hub);
    void action();
  };
  const entries: [string, () => void][] = [
    ['Done', run(() => toggleDone(hub, ids))],
    ['Snooze', () => openSnooze(hub, ids)],
    ['Star', run(() => toggleStar(hub, ids))],
    ['Delete', run(() => triage(hub, ids, 'delete'))],
    ...(item.source === 'mail' ? ([['Mark as spam', run(() => triage(hub, ids, 'spam'))]] as [string, () => void][]) : []),
    [item.unread ? 'Mark as read' : 'Mark as unread', run(() => toggleRead(hub, ids))],
    ['Undo', run(() => undoLast(hub))],
  ];
  // Kept inside the window however near its edge the pointer was.
  const x = Math.min(menu.x, window.innerWidth - 200);
  const y = Math.min(menu.y, window.innerHeight - 40 * entries.length);
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={ids.length === 1 ? 'Actions' : `Actions for ${ids.length} items`}
      className="context-menu"
      style={{ left: Math.max(0, x), top: Math.max(0, y) }}
      onKeyDown={(e) => {
        if (e.key === 'Escape' || e.key === 'Tab') {
          e.preventDefault();
          closeContextMenu(hub);
        } else menuKeys(e);
      }}
    >
      {entries.map(([name, onClick]) => (
        <button
          key={name}
          type="button"
          role={name === 'Star' || name === 'Done' ? 'menuitemcheckbox' : 'menuitem'}
          aria-checked={name === 'Star' ? item.starred : name === 'Done' ? item.done : undefined}
          className="menu-item"
          onClick={onClick}
        >
          {name}
        </button>
      ))}
    </div>
  );
}
