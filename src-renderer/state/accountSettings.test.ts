import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryHub, imapAccount, mailItems } from '../testing/memoryHub.ts';
import {
  clearPasswordError,
  closeAccountSettings,
  confirmRemoveAccount,
  createHub,
  openAccountSettings,
  openItem,
  refreshAll,
  removeAccount,
  setView,
  updateAccountPassword,
  type Hub,
} from './actions.ts';
import { createAppStore } from './store.ts';

let server: MemoryHub;
let hub: Hub;

function state() {
  return hub.store.getState();
}

function toasts() {
  return state().toasts.map((t) => [t.kind, t.text]);
}

beforeEach(async () => {
  server = new MemoryHub();
  server.accounts = [imapAccount('work', 'Work'), { ...imapAccount('home', 'Home'), status: { state: 'auth-failed', reason: 'The server refused the password.' } }];
  server.passwords.set('home', 'new-home-password');
  server.items = [...mailItems('work', 30), ...mailItems('home', 12, Date.UTC(2025, 2, 3, 13))];
  hub = createHub(server, createAppStore());
  await refreshAll(hub);
});

describe('the account settings dialog', () => {
  it('opens for one account, focused on the password when asked, and closes', () => {
    openAccountSettings(hub, 'home', 'password');
    expect(state().accountSettings).toEqual({ accountId: 'home', focus: 'password', signingIn: false, passwordError: null, removeStep: 'idle', removeError: null });
    closeAccountSettings(hub);
    expect(state().accountSettings).toBeNull();
  });
});

describe('signing in again', () => {
  it('sends the new password, closes the dialog, shows the account reconnecting and says so', async () => {
    openAccountSettings(hub, 'home', 'password');
    const signing = updateAccountPassword(hub, 'home', 'new-home-password');
    expect(state().accountSettings?.signingIn).toBe(true);
    const result = await signing;
    expect(result).toEqual({ ok: true });
    expect(server.calls.filter((c) => c.name === 'accounts.updatePassword').map((c) => c.params)).toEqual([{ accountId: 'home', password: 'new-home-password' }]);
    expect(state().accountSettings).toBeNull();
    expect(state().accounts.find((a) => a.account.id === 'home')?.status).toEqual({ state: 'connecting' });
    expect(toasts()).toEqual([['info', 'Signed in to Home again.']]);
    expect(JSON.stringify(state())).not.toContain('new-home-password');
  });

  it('keeps the dialog open with the server’s error under the password, and clears it when the user types', async () => {
    openAccountSettings(hub, 'home', 'password');
    const result = await updateAccountPassword(hub, 'home', 'wrong-password');
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The server refused this password. Check it and try again.', field: 'password' } });
    expect(state().accountSettings).toMatchObject({ accountId: 'home', signingIn: false, passwordError: 'The server refused this password. Check it and try again.' });
    expect(state().accounts.find((a) => a.account.id === 'home')?.status.state).toBe('auth-failed');
    expect(toasts()).toEqual([]);
    clearPasswordError(hub, 'home');
    expect(state().accountSettings?.passwordError).toBeNull();
  });

  it('blanks the password out of an error message that quotes it', async () => {
    openAccountSettings(hub, 'home');
    server.failNext('accounts.updatePassword', { code: 'connection-failed', message: 'LOGIN me hunter22 timed out' });
    const result = await updateAccountPassword(hub, 'home', 'hunter22');
    expect(result.ok).toBe(false);
    expect(state().accountSettings?.passwordError).toBe('LOGIN me •••• timed out');
    expect(JSON.stringify(state())).not.toContain('hunter22');
  });

  it('asks for a password before calling the hub', async () => {
    openAccountSettings(hub, 'home');
    await updateAccountPassword(hub, 'home', '');
    expect(state().accountSettings?.passwordError).toBe('Enter the password.');
    expect(server.countCalls('accounts.updatePassword')).toBe(0);
  });

  it('leaves a dialog the user has since opened for another account alone', async () => {
    openAccountSettings(hub, 'home');
    const signing = updateAccountPassword(hub, 'home', 'wrong-password');
    openAccountSettings(hub, 'work');
    await signing;
    expect(state().accountSettings).toMatchObject({ accountId: 'work', passwordError: null, signingIn: false });
  });
});

describe('removing an account', () => {
  it('asks first, then removes it, shows All again and reloads accounts, counts and the list', async () => {
    await setView(hub, { accountId: 'home' });
    await openItem(hub, 'home:2');
    openAccountSettings(hub, 'home');
    confirmRemoveAccount(hub, 'home', true);
    expect(state().accountSettings?.removeStep).toBe('confirm');
    const calls = { accounts: server.countCalls('accounts.list'), counts: server.countCalls('inbox.counts'), list: server.countCalls('inbox.list') };

    const removing = removeAccount(hub, 'home');
    expect(state().accountSettings?.removeStep).toBe('removing');
    const result = await removing;

    expect(result.ok).toBe(true);
    expect(state().accountSettings).toBeNull();
    expect(state().view).toEqual({});
    expect(state().accounts.map((a) => a.account.id)).toEqual(['work']);
    expect(state().items.length).toBe(30);
    expect(state().items.every((i) => i.accountId === 'work')).toBe(true);
    expect(state().counts?.byAccount.home).toBeUndefined();
    expect(state().counts?.all).toBe(server.counts().all);
    expect(state().openId).toBeNull();
    expect(state().detail).toBeNull();
    expect(server.countCalls('accounts.list')).toBe(calls.accounts + 1);
    expect(server.countCalls('inbox.counts')).toBe(calls.counts + 1);
    expect(server.countCalls('inbox.list')).toBe(calls.list + 1);
    expect(toasts()).toEqual([['info', 'Removed Home.']]);
  });

  it('keeps the view when it showed another account', async () => {
    await setView(hub, { accountId: 'work' });
    openAccountSettings(hub, 'home');
    await removeAccount(hub, 'home');
    expect(state().view).toEqual({ accountId: 'work' });
    expect(state().items.every((i) => i.accountId === 'work')).toBe(true);
  });

  it('says why when the hub refuses, and keeps the account and the dialog', async () => {
    await setView(hub, { accountId: 'home' });
    openAccountSettings(hub, 'home');
    confirmRemoveAccount(hub, 'home', true);
    server.failNext('accounts.remove', { code: 'internal', message: 'The database is busy; try again.' });
    const result = await removeAccount(hub, 'home');
    expect(result.ok).toBe(false);
    expect(toasts()).toEqual([['error', 'Could not remove Home: The database is busy; try again.']]);
    expect(state().accountSettings).toMatchObject({ accountId: 'home', removeStep: 'confirm', removeError: 'The database is busy; try again.' });
    expect(state().accounts.map((a) => a.account.id)).toEqual(['work', 'home']);
    expect(state().view).toEqual({ accountId: 'home' });
    expect(server.accounts).toHaveLength(2);
  });

  it('closes the dialog when the account was removed elsewhere', async () => {
    openAccountSettings(hub, 'home');
    server.accounts = server.accounts.filter((a) => a.account.id !== 'home');
    await refreshAll(hub);
    expect(state().accountSettings).toBeNull();
  });

  it('steps back from the confirmation without calling the hub', () => {
    openAccountSettings(hub, 'home');
    confirmRemoveAccount(hub, 'home', true);
    confirmRemoveAccount(hub, 'home', false);
    expect(state().accountSettings?.removeStep).toBe('idle');
    expect(server.countCalls('accounts.remove')).toBe(0);
  });
});
