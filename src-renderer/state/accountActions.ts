/**
 * Adding and changing accounts, whatever their kind: one `accounts.add`, one `accounts.update`, and
 * the list of kinds the hub can add. The forms differ per kind; what happens once the hub answers
 * does not.
 */
import type { AccountKind } from '../../src-shared/domain.ts';
import type { AppError } from '../../src-shared/result.ts';
import { withoutSecret } from '../format/secret.ts';
import { loadAccounts, loadCounts, refreshVisible, showToast, type Hub } from './actions.ts';

export type Outcome = { ok: true } | { ok: false; error: AppError };

/** What the user is told once an account is added: what arrives, and when. Another kind's account is simply added. */
const ADDED: Partial<Record<AccountKind, (name: string) => string>> = {
  imap: (name) => `Added ${name}.`,
  matrix: (name) => `Signed in as ${name}. Your rooms appear as they sync.`,
  feed: (name) => `Following ${name}. Its current entries arrive as read; new ones as unread.`,
};

export interface NewAccount {
  kind: AccountKind;
  /** The kind's input (ImapAccountInput, MatrixAccountInput, FeedAccountInput, or a plug-in's). */
  input: object;
  /** What the user typed that must never be shown back (passwords, tokens), should a server quote it. */
  secrets: readonly string[];
}

function hideSecrets(error: AppError, secrets: readonly string[]): AppError {
  return { ...error, message: secrets.reduce((message, secret) => withoutSecret(message, secret), error.message) };
}

/** Which kinds the Add account dialog offers beyond its own three; a failure leaves those three. */
export async function loadKinds(hub: Hub): Promise<void> {
  const result = await hub.client.call('kinds.list', {});
  if (result.ok) hub.store.setState({ kinds: result.value });
  else showToast(hub, 'error', `Could not list the account types the hub offers: ${result.error.message}`);
}

/** Signs in (or fetches the feed); on success the dialog closes and the new account shows. The caller shows the error. */
export async function addAccount(hub: Hub, { kind, input, secrets }: NewAccount): Promise<Outcome> {
  const result = await hub.client.call('accounts.add', { kind, input });
  if (!result.ok) return { ok: false, error: hideSecrets(result.error, secrets) };
  const view = result.value;
  hub.store.setState((s) => ({
    accounts: [...s.accounts.filter((a) => a.account.id !== view.account.id), view],
    accountsLoaded: true,
    addAccountOpen: false,
  }));
  showToast(hub, 'info', ADDED[view.account.kind]?.(view.account.displayName) ?? `Added ${view.account.displayName}.`);
  await Promise.all([loadAccounts(hub), loadCounts(hub), refreshVisible(hub)]);
  return { ok: true };
}

/**
 * Renames an account or changes its kind's settings (ImapAccountChanges, FeedAccountChanges, …).
 * Changes to a connection are checked with the server before the hub saves them; a refusal comes
 * back to the caller, who shows it beside the field it names, and nothing is saved.
 */
export async function updateAccount(hub: Hub, accountId: string, changes: object): Promise<Outcome> {
  const result = await hub.client.call('accounts.update', { accountId, changes });
  if (!result.ok) return result;
  const view = result.value;
  hub.store.setState((s) => ({ accounts: s.accounts.map((a) => (a.account.id === accountId ? view : a)) }));
  const renamedOnly = Object.keys(changes).every((key) => key === 'displayName');
  showToast(hub, 'info', renamedOnly ? `Renamed to ${view.account.displayName}.` : `Saved the settings of ${view.account.displayName}.`);
  return { ok: true };
}
