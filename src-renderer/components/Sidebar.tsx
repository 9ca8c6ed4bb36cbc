import type { ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { InboxFilter } from '../../src-shared/api.ts';
import { SOURCE_OF_ACCOUNT, type AccountView, type SourceKind } from '../../src-shared/domain.ts';
import { describeStatus } from '../format/status.ts';
import { openAddAccount, setView } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { sameView } from '../state/store.ts';
import { SourceIcon } from './SourceIcon.tsx';
import { useNow } from './useNow.ts';

const KIND_ORDER: readonly SourceKind[] = ['mail', 'chat', 'feed'];
const KIND_TITLES: Record<SourceKind, string> = { mail: 'Mail', chat: 'Chat', feed: 'Feeds' };

function Count({ n }: { n: number }) {
  if (n <= 0) return null;
  return (
    <span className="count">
      {n}
      <span className="visually-hidden"> unread</span>
    </span>
  );
}

function ViewButton({ view, children, count }: { view: InboxFilter; children: ReactNode; count: number }) {
  const hub = useHub();
  const current = useApp((s) => sameView(s.view, view));
  return (
    <button type="button" className="view-button" aria-current={current ? 'page' : undefined} onClick={() => void setView(hub, view)}>
      <span className="view-name">{children}</span>
      <Count n={count} />
    </button>
  );
}

function AccountRow({ view, unread, now }: { view: AccountView; unread: number; now: number }) {
  const status = describeStatus(view.status, now);
  const reason = view.status.state === 'offline' || view.status.state === 'auth-failed' ? view.status.reason : undefined;
  return (
    <li className="account">
      <ViewButton view={{ accountId: view.account.id }} count={unread}>
        {view.account.displayName}
      </ViewButton>
      <span className={`account-status tone-${status.tone}`} data-state={view.status.state} title={reason}>
        <span className="dot" aria-hidden="true" />
        {status.text}
      </span>
    </li>
  );
}

export function Sidebar() {
  const hub = useHub();
  const { accounts, counts } = useApp(useShallow((s) => ({ accounts: s.accounts, counts: s.counts })));
  const ticking = accounts.some((a) => a.status.state === 'offline');
  const now = useNow(1000, ticking);
  const kinds = KIND_ORDER.filter((kind) => accounts.some((a) => SOURCE_OF_ACCOUNT[a.account.kind] === kind));
  const totalUnread = counts?.all ?? accounts.reduce((n, a) => n + a.unread, 0);

  return (
    <nav aria-label="Sources" className="sidebar">
      <ul className="views">
        <li>
          <ViewButton view={{}} count={totalUnread}>
            All
          </ViewButton>
        </li>
        {kinds.map((kind) => {
          const ofKind = accounts.filter((a) => SOURCE_OF_ACCOUNT[a.account.kind] === kind);
          const kindUnread = counts?.bySource[kind] ?? ofKind.reduce((n, a) => n + a.unread, 0);
          return (
            <li key={kind} className="kind">
              <ViewButton view={{ source: kind }} count={kindUnread}>
                <SourceIcon kind={kind} decorative />
                {KIND_TITLES[kind]}
              </ViewButton>
              <ul className="accounts">
                {ofKind.map((a) => (
                  <AccountRow key={a.account.id} view={a} unread={counts?.byAccount[a.account.id] ?? a.unread} now={now} />
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
      <button type="button" className="add-account" onClick={() => openAddAccount(hub)}>
        Add account
      </button>
    </nav>
  );
}
