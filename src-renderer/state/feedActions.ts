/**
 * What the UI does with feeds: add one (the hub fetches it first), change its alert rules,
 * and move subscriptions in and out as OPML.
 */
import type { FeedAccountInput, FeedSettingsInput, OpmlImportResult } from '../../src-shared/api.ts';
import type { AppError } from '../../src-shared/result.ts';
import { withoutSecret } from '../format/secret.ts';
import { loadAccounts, loadCounts, refreshVisible, showToast, type Hub } from './actions.ts';

type Outcome = { ok: true } | { ok: false; error: AppError };

export async function addFeedAccount(hub: Hub, input: FeedAccountInput): Promise<Outcome> {
  const result = await hub.client.call('accounts.addFeed', input);
  if (!result.ok) {
    const secret = input.credentials?.kind === 'basic' ? input.credentials.password : input.credentials?.token;
    return { ok: false, error: { ...result.error, message: withoutSecret(result.error.message, secret ?? '') } };
  }
  hub.store.setState((s) => ({
    accounts: [...s.accounts.filter((a) => a.account.id !== result.value.account.id), result.value],
    accountsLoaded: true,
    addAccountOpen: false,
  }));
  showToast(hub, 'info', `Following ${result.value.account.displayName}. Its current entries arrive as read; new ones as unread.`);
  await Promise.all([loadAccounts(hub), loadCounts(hub), refreshVisible(hub)]);
  return { ok: true };
}

export async function updateFeedSettings(hub: Hub, settings: FeedSettingsInput): Promise<Outcome> {
  const result = await hub.client.call('accounts.updateFeed', settings);
  if (!result.ok) return result;
  hub.store.setState((s) => ({
    accounts: s.accounts.map((a) => (a.account.id === settings.accountId ? result.value : a)),
  }));
  showToast(hub, 'info', `Saved the settings of ${result.value.account.displayName}.`);
  return { ok: true };
}

export async function importOpml(hub: Hub, opml: string): Promise<{ ok: true; value: OpmlImportResult } | { ok: false; error: AppError }> {
  const result = await hub.client.call('feeds.importOpml', { opml });
  if (!result.ok) return result;
  const { added, skipped } = result.value;
  showToast(hub, 'info', `Imported ${added} feed${added === 1 ? '' : 's'}${skipped.length > 0 ? `; skipped ${skipped.length}` : ''}.`);
  if (added > 0) {
    hub.store.setState({ addAccountOpen: false });
    await loadAccounts(hub);
  }
  return result;
}

export async function exportOpml(hub: Hub): Promise<string | null> {
  const result = await hub.client.call('feeds.exportOpml', {});
  if (result.ok) return result.value.opml;
  showToast(hub, 'error', `Could not export the feeds: ${result.error.message}`);
  return null;
}
