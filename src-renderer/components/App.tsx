import { useEffect } from 'react';
import { closeItem, findItem, moveSelection, openItem, openSelected } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { commandForKey, type KeyCommand } from '../state/keys.ts';
import type { AppState } from '../state/store.ts';
import { documentTitle } from '../state/unread.ts';
import { closeWhy, openWhy } from '../state/attentionActions.ts';
import {
  checkAll,
  clearChecked,
  goToView,
  markViewRead,
  openContextMenu,
  openShortcuts,
  openSnooze,
  targetIds,
  toggleChecked,
  toggleDone,
  toggleRead,
  toggleStar,
  triage,
  undoLast,
} from '../state/triageActions.ts';
import { AccountSettingsDialog } from './AccountSettingsDialog.tsx';
import { AddAccountDialog } from './AddAccountDialog.tsx';
import { FirstRun } from './FirstRun.tsx';
import { Composer } from './Composer.tsx';
import { DraftsStatus, NewMessageButton, OutboxStatus } from './MailButtons.tsx';
import { openComposer } from '../state/mailActions.ts';
import { focusList } from './focusList.ts';
import { InboxList } from './InboxList.tsx';
import { PreferencesDialog } from './PreferencesDialog.tsx';
import { ReadingPane } from './ReadingPane.tsx';
import { SearchBox } from './SearchBox.tsx';
import { SecurityDialog } from './SecurityDialog.tsx';
import { Sidebar } from './Sidebar.tsx';
import { SyncProgress } from './SyncProgress.tsx';
import { ConnectionBanner, ServiceBanner, Toasts } from './Toasts.tsx';
import { TriageDialogs } from './TriageDialogs.tsx';

/** Keys typed into a field belong to the field; Enter on a button belongs to the button. */
function belongsToTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('input, textarea, select, dialog, [role="menu"]') !== null) return true;
  return key === 'Enter' && target.closest('button, a, summary') !== null;
}

function dialogOpen(s: AppState): boolean {
  return s.addAccountOpen || s.accountSettings !== null || s.security !== null || s.preferencesOpen || s.shortcutsOpen || s.snoozeFor !== null || s.confirmDelete !== null || s.contextMenu !== null || s.composer !== null;
}

/** One pane at a time: the reading pane covers the list (the stylesheet decides below which width). */
function listHidden(): boolean {
  const list = document.querySelector<HTMLElement>('[role="listbox"][aria-label="Inbox"]');
  return list === null || list.offsetParent === null;
}

function run(hub: ReturnType<typeof useHub>, command: KeyCommand, target: EventTarget | null): boolean {
  const state = hub.store.getState();
  const ids = targetIds(state);
  switch (command) {
    case 'next':
    case 'previous': {
      moveSelection(hub, command === 'next' ? 1 : -1);
      // Reading one item after another: the next one opens where the last one was.
      const { selectedId, openId } = hub.store.getState();
      if (openId !== null && selectedId !== null && selectedId !== openId) void openItem(hub, selectedId);
      return true;
    }
    case 'open':
      void openSelected(hub).then(() => {
        if (listHidden()) document.querySelector<HTMLElement>('section.reading')?.focus();
      });
      return true;
    case 'back':
      if (state.openId !== null) {
        closeItem(hub);
        setTimeout(focusList, 0);
      } else if (state.checkedIds.length > 0) clearChecked(hub);
      else return false;
      return true;
    case 'done':
      void toggleDone(hub, ids);
      return true;
    case 'snooze':
      openSnooze(hub, ids);
      return true;
    case 'star':
      void toggleStar(hub, ids);
      return true;
    case 'delete':
      void triage(hub, ids, 'delete');
      return true;
    case 'spam':
      void triage(hub, ids.filter((id) => findItem(state, id)?.source === 'mail'), 'spam');
      return true;
    case 'toggle-read':
      void toggleRead(hub, ids);
      return true;
    case 'mark-read':
      void triage(hub, ids, 'read');
      return true;
    case 'mark-unread':
      void triage(hub, ids, 'unread');
      return true;
    case 'select':
      if (state.selectedId !== null) toggleChecked(hub, state.selectedId);
      return true;
    case 'select-all':
      // Only in the list: elsewhere Ctrl+A selects text as it always does.
      if (!(target instanceof HTMLElement) || target.closest('[role="listbox"]') === null) return false;
      checkAll(hub);
      return true;
    case 'undo':
      void undoLast(hub);
      return true;
    case 'reply': {
      const open = state.openId === null ? undefined : findItem(state, state.openId);
      if (open?.source === 'mail') {
        void openComposer(hub, 'reply', { itemId: open.id });
        return true;
      }
      const composer = document.querySelector<HTMLTextAreaElement>('.chat-composer textarea');
      if (open?.source !== 'chat' || composer === null) return false;
      composer.focus();
      return true;
    }
    case 'search':
      document.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
      return true;
    case 'go-inbox':
      void goToView(hub, 'inbox');
      return true;
    case 'go-snoozed':
      void goToView(hub, 'snoozed');
      return true;
    case 'go-done':
      void goToView(hub, 'done');
      return true;
    case 'go-starred':
      void goToView(hub, 'starred');
      return true;
    case 'mark-view-read':
      void markViewRead(hub);
      return true;
    case 'help':
      openShortcuts(hub);
      return true;
    case 'why':
      if (state.openId === null) return false;
      if (state.why?.itemId === state.openId) closeWhy(hub);
      else void openWhy(hub, state.openId);
      return true;
    case 'menu': {
      if (state.selectedId === null) return false;
      const row = [...document.querySelectorAll('[role="option"]')].find((r) => r.getAttribute('data-item-id') === state.selectedId);
      const box = row?.getBoundingClientRect();
      openContextMenu(hub, state.selectedId, box === undefined ? 200 : box.left + 40, box === undefined ? 200 : box.bottom);
      return true;
    }
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${String(unknown)}`);
    }
  }
}

function useInboxKeys(): void {
  const hub = useHub();
  useEffect(() => {
    let afterG = false;
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented) return;
      if (dialogOpen(hub.store.getState()) || belongsToTarget(e.target, e.key)) {
        afterG = false;
        return;
      }
      if (e.key === 'Shift' || e.key === 'Control' || e.key === 'Meta' || e.key === 'Alt') return;
      const command = commandForKey(e, afterG);
      afterG = command === 'g';
      if (command === null || command === 'g') {
        if (command === 'g') e.preventDefault();
        return;
      }
      if (run(hub, command, e.target)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [hub]);
}

/** The unread count in the window title, where the taskbar and browser tab show it. */
function useTitleCount(): void {
  const title = useApp(documentTitle);
  useEffect(() => {
    document.title = title;
  }, [title]);
}

export function App() {
  const hub = useHub();
  useInboxKeys();
  useTitleCount();
  const itemOpen = useApp((s) => s.openId !== null);
  // No account yet: the first run takes the list's and the reading pane's place.
  const firstRun = useApp((s) => s.accountsLoaded && s.accounts.length === 0);
  return (
    <div className="app" data-pane={itemOpen ? 'item' : 'list'}>
      <ConnectionBanner />
      <ServiceBanner />
      <header className="topbar">
        <span className="brand">Groundswell</span>
        <SearchBox />
        <OutboxStatus />
        <DraftsStatus />
        <NewMessageButton />
        <button type="button" className="icon-button help-button" aria-label="Keyboard shortcuts" aria-haspopup="dialog" title="Keyboard shortcuts (?)" onClick={() => openShortcuts(hub)}>
          ?
        </button>
      </header>
      <div className="panes" data-first-run={firstRun ? 'true' : undefined}>
        <Sidebar />
        {firstRun ? (
          <FirstRun />
        ) : (
          <>
            <main className="middle">
              <SyncProgress />
              <InboxList />
            </main>
            <ReadingPane />
          </>
        )}
      </div>
      <AddAccountDialog />
      <AccountSettingsDialog />
      <SecurityDialog />
      <PreferencesDialog />
      <TriageDialogs />
      <Composer />
      <Toasts />
    </div>
  );
}
