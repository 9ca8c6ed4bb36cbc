/**
 * Sign-ins in the system browser (OAuth2 for mail, Matrix single sign-on), from the window: the hub
 * starts one and listens on 127.0.0.1; the provider's page opens in a new browser tab (in the
 * desktop app, the system browser, never inside the app); once the browser comes back the hub says
 * so, and the form adds the account, or the account keeps its new sign-in.
 */
import type { CallParams } from '../../src-shared/api.ts';
import type { AppError } from '../../src-shared/result.ts';
import { loadAccounts, loadCounts, showToast, type Hub } from './actions.ts';

export type BrowserSignInOutcome = { ok: true; signInId: string } | { ok: false; error: AppError };

/**
 * Opens a blank tab now, while the click still counts as the user's (a browser blocks a tab opened
 * later), and points it at the provider's page once the hub has it. The desktop app refuses blank
 * windows and opens the address in the system browser instead.
 */
function reserveTab(): { show(url: string): void; close(): void } {
  const tab = window.open('', '_blank');
  if (tab) tab.opener = null;
  return {
    show(url) {
      if (tab && !tab.closed) tab.location.href = url;
      else window.open(url, '_blank', 'noopener,noreferrer');
    },
    close() {
      if (tab && !tab.closed) tab.close();
    },
  };
}

/** Runs the whole browser leg; `shown` receives the sign-in and its address, for the user to open by hand if no tab came up. */
export async function signInWithBrowser(hub: Hub, params: CallParams<'signIn.start'>, shown: (url: string, signInId: string) => void): Promise<BrowserSignInOutcome> {
  const tab = reserveTab();
  const started = await hub.client.call('signIn.start', params);
  if (!started.ok) {
    tab.close();
    return started;
  }
  tab.show(started.value.url);
  shown(started.value.url, started.value.signInId);
  const done = await hub.client.call('signIn.wait', { signInId: started.value.signInId });
  if (!done.ok) return done;
  return { ok: true, signInId: started.value.signInId };
}

/** "Sign in again" for an account that signs in through the browser. */
export async function signInAgainWithBrowser(hub: Hub, accountId: string, shown: (url: string, signInId: string) => void): Promise<{ ok: true } | { ok: false; error: AppError }> {
  const signedIn = await signInWithBrowser(hub, { accountId }, shown);
  if (!signedIn.ok) return signedIn;
  const result = await hub.client.call('accounts.signInAgain', { accountId, signInId: signedIn.signInId });
  if (!result.ok) return result;
  hub.store.setState((s) => ({
    accounts: s.accounts.map((a) => (a.account.id === accountId ? result.value : a)),
    accountSettings: s.accountSettings?.accountId === accountId ? null : s.accountSettings,
  }));
  showToast(hub, 'info', `Signed in to ${result.value.account.displayName} again.`);
  await Promise.all([loadAccounts(hub), loadCounts(hub)]);
  return { ok: true };
}

export async function cancelBrowserSignIn(hub: Hub, signInId: string): Promise<void> {
  await hub.client.call('signIn.cancel', { signInId });
}
