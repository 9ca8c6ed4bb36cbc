import { useEffect } from 'react';
import { moveSelection, openSelected, toggleUnread } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { AccountSettingsDialog } from './AccountSettingsDialog.tsx';
import { AddAccountDialog } from './AddAccountDialog.tsx';
import { InboxList } from './InboxList.tsx';
import { PreferencesDialog } from './PreferencesDialog.tsx';
import { ReadingPane } from './ReadingPane.tsx';
import { SearchBox } from './SearchBox.tsx';
import { SecurityDialog } from './SecurityDialog.tsx';
import { Sidebar } from './Sidebar.tsx';
import { ConnectionBanner, ServiceBanner, Toasts } from './Toasts.tsx';

/** Keys typed into a field belong to the field; Enter on a button belongs to the button. */
function belongsToTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('input, textarea, select, dialog') !== null) return true;
  return key === 'Enter' && target.closest('button, a, summary') !== null;
}

function useInboxKeys(): void {
  const hub = useHub();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const { addAccountOpen, accountSettings, security, preferencesOpen } = hub.store.getState();
      if (addAccountOpen || accountSettings !== null || security !== null || preferencesOpen || belongsToTarget(e.target, e.key)) return;
      switch (e.key) {
        case 'ArrowDown':
        case 'j':
          moveSelection(hub, 1);
          break;
        case 'ArrowUp':
        case 'k':
          moveSelection(hub, -1);
          break;
        case 'Enter':
          void openSelected(hub);
          break;
        case 'u': {
          const id = hub.store.getState().selectedId;
          if (id !== null) void toggleUnread(hub, id);
          break;
        }
        case '/':
          document.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [hub]);
}

/** The unread count in the window title, where the taskbar and browser tab show it. */
function useTitleCount(): void {
  const unread = useApp((s) => s.counts?.all ?? 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Groundswell` : 'Groundswell';
  }, [unread]);
}

export function App() {
  useInboxKeys();
  useTitleCount();
  return (
    <div className="app">
      <ConnectionBanner />
      <ServiceBanner />
      <header className="topbar">
        <span className="brand">Groundswell</span>
        <SearchBox />
      </header>
      <div className="panes">
        <Sidebar />
        <main className="middle">
          <InboxList />
        </main>
        <ReadingPane />
      </div>
      <AddAccountDialog />
      <AccountSettingsDialog />
      <SecurityDialog />
      <PreferencesDialog />
      <Toasts />
    </div>
  );
}
