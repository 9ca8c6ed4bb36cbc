/**
 * What the UI does with feeds beyond adding and changing one (accountActions.ts): move
 * subscriptions in and out as OPML.
 */
import type { OpmlImportResult } from '../../src-shared/api.ts';
import type { AppError } from '../../src-shared/result.ts';
import { loadAccounts, showToast, type Hub } from './actions.ts';

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
