/**
 * `sync --once` on a terminal: one line on stderr that follows each account's first sync
 * ("Work: 1,240 of 2,000 messages"), rewritten in place and cleared when the sync ends.
 */
import type { CallName, CallParams, HubCalls, HubClient } from '../../src-shared/api.ts';
import type { AccountView, ConnectionState } from '../../src-shared/domain.ts';
import { syncProgressLine } from '../../src-shared/sync-progress.ts';

type Call = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;

export function syncProgress(client: HubClient, call: Call, err: NodeJS.WriteStream): { stop(): void } {
  const accounts = new Map<string, AccountView>();
  const states = new Map<string, ConnectionState>();
  let shown = false;
  void call('accounts.list', {})
    .then((views) => {
      for (const view of views) accounts.set(view.account.id, view);
    })
    .catch(() => {});
  const draw = () => {
    const lines = [...states].flatMap(([id, state]) => {
      const view = accounts.get(id);
      const line = view ? syncProgressLine(view.account.displayName, view.account.source, state) : undefined;
      return line === undefined ? [] : [line];
    });
    // A terminal that reports no width (0) gets the usual 80.
    const width = Math.max(20, (err.columns || 80) - 1);
    const text = lines.join(' · ');
    if (text === '' && !shown) return;
    err.write(`\r\x1b[K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
    shown = text !== '';
  };
  const off = client.on('account.status', (status) => {
    states.set(status.accountId, status.connection);
    draw();
  });
  return {
    stop() {
      off();
      if (shown) err.write('\r\x1b[K');
    },
  };
}
