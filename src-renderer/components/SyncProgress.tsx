/**
 * One line per account whose first sync is under way, above the inbox as it fills:
 * "Work: 1,240 of 2,000 messages", with a bar. Gone once every account is caught up.
 */
import { syncProgressLine } from '../../src-shared/sync-progress.ts';
import { useApp } from '../state/hooks.ts';

export function SyncProgress() {
  const accounts = useApp((s) => s.accounts);
  const lines = accounts.flatMap((view) => {
    const status = view.status;
    const text = syncProgressLine(view.account.displayName, view.account.source, status);
    if (text === undefined || status.state !== 'syncing') return [];
    const percent = status.total > 1 ? Math.round((100 * Math.min(status.done, status.total)) / status.total) : undefined;
    return [{ id: view.account.id, text, percent }];
  });
  if (lines.length === 0) return null;
  return (
    <ul className="sync-progress" aria-label="Sync progress">
      {lines.map((line) => (
        <li key={line.id}>
          <span>{line.text}</span>
          {line.percent !== undefined ? <progress max={100} value={line.percent} aria-hidden="true" /> : <progress aria-hidden="true" />}
        </li>
      ))}
    </ul>
  );
}
