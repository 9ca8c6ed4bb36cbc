import type { ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { InboxFilter } from '../../src-shared/api.ts';
import { isAccountOf, TRIAGE_VIEWS, type AccountView, type TriageView } from '../../src-shared/domain.ts';
import { SOURCE_ORDER, SOURCE_TITLES } from '../../src-shared/unread-summary.ts';
import { describeStatus } from '../format/status.ts';
import { openAccountSettings, openAddAccount, setView } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { openPreferences } from '../state/preferenceActions.ts';
import { triageViewOf } from '../state/store.ts';
import { sidebarFigures } from '../state/unread.ts';
import { goToView, setUnreadOnly } from '../state/triageActions.ts';
import { PauseControl } from './PauseControl.tsx';
import { SourceIcon } from './SourceIcon.tsx';
import { useNow } from './useNow.ts';


function Count({ n, priority = 0 }: { n: number; priority?: number }) {
  return (
    <>
      {priority > 0 ? (
        <span className="count priority" title={`${priority} unread priority`}>
          {priority}
          <span className="visually-hidden"> priority</span>
        </span>
      ) : null}
      {n > 0 ? (
        <span className="count">
          {n}
          <span className="visually-hidden"> unread</span>
        </span>
      ) : null}
    </>
  );
}

/** A source or account: shown in the triage view the list is in, with Unread only kept. */
function ViewButton({ view, children, count, priority }: { view: InboxFilter; children: ReactNode; count: number; priority?: number }) {
  const hub = useHub();
  const current = useApp((s) => s.view.source === view.source && s.view.accountId === view.accountId);
  const within = (s: InboxFilter): InboxFilter => ({ ...view, ...(s.view === undefined ? {} : { view: s.view }), ...(s.unreadOnly === true ? { unreadOnly: true } : {}) });
  return (
    <button
      type="button"
      className="view-button"
      aria-current={current ? 'page' : undefined}
      onClick={() => void setView(hub, within(hub.store.getState().view))}
    >
      <span className="view-name">{children}</span>
      <Count n={count} {...(priority === undefined ? {} : { priority })} />
    </button>
  );
}

const TRIAGE_TITLES: Record<TriageView, string> = { inbox: 'Inbox', snoozed: 'Snoozed', done: 'Done', starred: 'Starred', all: 'All' };
const TRIAGE_KEYS: Partial<Record<TriageView, string>> = { inbox: 'g i', snoozed: 'g s', done: 'g d', starred: 'g t' };

/** Inbox, Snoozed, Done, Starred, All: the source or account filter stays as it is. */
function TriageViewButton({ view, count, priority }: { view: TriageView; count: number; priority: number }) {
  const hub = useHub();
  const current = useApp((s) => triageViewOf(s.view) === view);
  const keys = TRIAGE_KEYS[view];
  return (
    <button
      type="button"
      className="view-button"
      aria-current={current ? 'true' : undefined}
      title={keys === undefined ? undefined : `${TRIAGE_TITLES[view]} (${keys})`}
      onClick={() => void goToView(hub, view)}
    >
      <span className="view-name">{TRIAGE_TITLES[view]}</span>
      <Count n={count} priority={priority} />
    </button>
  );
}

function UnreadOnlyToggle() {
  const hub = useHub();
  const on = useApp((s) => s.view.unreadOnly === true);
  return (
    <label className="check unread-only">
      <input type="checkbox" checked={on} onChange={(e) => void setUnreadOnly(hub, e.target.checked)} />
      Unread only
    </label>
  );
}

/** Feeds sit under their OPML folder; mail and chat accounts are one flat group. */
function groupByFolder(accounts: AccountView[]): { folder: string; accounts: AccountView[] }[] {
  const groups = new Map<string, AccountView[]>();
  for (const view of accounts) {
    const folder = isAccountOf(view.account, 'feed') ? view.account.settings.folder : '';
    groups.set(folder, [...(groups.get(folder) ?? []), view]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map(([folder, list]) => ({ folder, accounts: list }));
}

function GearIcon() {
  return (
    <svg className="gear-icon" viewBox="0 0 20 20" width="15" height="15" focusable="false" aria-hidden="true">
      <path d="M15.99 8.05L18.01 8.24L18.01 11.76L15.99 11.95L15.61 12.86L16.91 14.42L14.42 16.91L12.86 15.61L11.95 15.99L11.76 18.01L8.24 18.01L8.05 15.99L7.14 15.61L5.58 16.91L3.09 14.42L4.39 12.86L4.01 11.95L1.99 11.76L1.99 8.24L4.01 8.05L4.39 7.14L3.09 5.58L5.58 3.09L7.14 4.39L8.05 4.01L8.24 1.99L11.76 1.99L11.95 4.01L12.86 4.39L14.42 3.09L16.91 5.58L15.61 7.14Z" />
      <circle cx="10" cy="10" r="2.6" />
    </svg>
  );
}

function AccountRow({ view, unread, priority, now }: { view: AccountView; unread: number; priority: number; now: number }) {
  const hub = useHub();
  const { id, displayName } = view.account;
  const status = describeStatus(view.status, now, view.activity);
  const reason = view.status.state === 'offline' || view.status.state === 'auth-failed' ? view.status.reason : undefined;
  return (
    <li className={`account${status.needsSignIn ? ' needs-sign-in' : ''}`}>
      <div className="account-line">
        <ViewButton view={{ accountId: id }} count={unread} priority={priority}>
          <span className="view-label" title={displayName}>
            <bdi dir="auto">{displayName}</bdi>
          </span>
        </ViewButton>
        <button
          type="button"
          className="icon-button account-settings-button"
          aria-label={`Account settings for ${displayName}`}
          aria-haspopup="dialog"
          title="Account settings"
          data-account-settings={id}
          onClick={() => openAccountSettings(hub, id)}
        >
          <GearIcon />
        </button>
      </div>
      <span className={`account-status tone-${status.tone}`} data-state={view.status.state} title={reason}>
        <span className="dot" aria-hidden="true" />
        <span className="status-text">
          {status.text}
          {status.needsSignIn ? (
            <button type="button" className="link sign-in-again" aria-haspopup="dialog" onClick={() => openAccountSettings(hub, id, 'password')}>
              Sign in again
            </button>
          ) : null}
        </span>
      </span>
    </li>
  );
}

export function Sidebar() {
  const hub = useHub();
  const { accounts, counts } = useApp(useShallow((s) => ({ accounts: s.accounts, counts: s.counts })));
  const ticking = accounts.some((a) => a.status.state === 'offline' || a.activity !== undefined);
  const now = useNow(ticking && accounts.every((a) => a.status.state !== 'offline') ? 30_000 : 1000, ticking);
  const kinds = SOURCE_ORDER.filter((kind) => accounts.some((a) => a.account.source === kind));
  // The same summary the window title, the tray, the badge and `inbox --counts` show.
  const figures = sidebarFigures({ counts, accounts });
  const totalUnread = figures.unread;

  return (
    <nav aria-label="Sources" className="sidebar">
      <ul className="triage-views" aria-label="Views">
        {TRIAGE_VIEWS.map((view) => (
          <li key={view}>
            <TriageViewButton view={view} count={view === 'inbox' ? totalUnread : 0} priority={view === 'inbox' ? figures.priority : 0} />
          </li>
        ))}
      </ul>
      <UnreadOnlyToggle />
      <ul className="views" aria-label="Sources">
        <li>
          <ViewButton view={{}} count={totalUnread} priority={figures.priority}>
            All sources
          </ViewButton>
        </li>
        {kinds.map((kind) => {
          const ofKind = accounts.filter((a) => a.account.source === kind);
          const kindUnread = figures.sources[kind];
          return (
            <li key={kind} className="kind">
              <ViewButton view={{ source: kind }} count={kindUnread}>
                <SourceIcon kind={kind} decorative />
                <span className="view-label">{SOURCE_TITLES[kind]}</span>
              </ViewButton>
              {groupByFolder(ofKind).map(({ folder, accounts: inFolder }) => (
                <div key={folder} className={folder === '' ? undefined : 'folder'}>
                  {folder === '' ? null : <h3 className="folder-name">{folder}</h3>}
                  <ul className="accounts" aria-label={folder === '' ? undefined : folder}>
                    {inFolder.map((a) => (
                      <AccountRow
                        key={a.account.id}
                        view={a}
                        unread={figures.accounts[a.account.id]?.unread ?? 0}
                        priority={figures.accounts[a.account.id]?.priority ?? 0}
                        now={now}
                      />
                    ))}
                  </ul>
                </div>
              ))}
            </li>
          );
        })}
      </ul>
      <PauseControl />
      <div className="sidebar-buttons">
        <button type="button" onClick={() => openAddAccount(hub)}>
          Add account
        </button>
        <button type="button" aria-haspopup="dialog" onClick={() => openPreferences(hub)}>
          Preferences
        </button>
      </div>
    </nav>
  );
}
