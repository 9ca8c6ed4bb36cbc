import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { feedEntries } from '../../tests/support/fake-kinds/feeds.ts';
import { mailBatch } from '../../tests/support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { updateAccount } from './accountActions.ts';
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

let h: HubHarness;
let hub: Hub;
let work: AccountView;
let home: AccountView;

function state() {
  return hub.store.getState();
}

function toasts() {
  return state().toasts.map((t) => [t.kind, t.text]);
}

function shown(accountId: string) {
  return state().accounts.find((a) => a.account.id === accountId);
}

beforeEach(async () => {
  h = await openHubHarness();
  h.mail.user('work', 'work password', mailBatch(30, { prefix: 'w' }));
  h.mail.user('home', 'old home password', mailBatch(12, { prefix: 'h', newest: Date.UTC(2025, 2, 3, 13) }));
  work = await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'work', password: 'work password' });
  home = await h.addAccount('imap', { displayName: 'Home', host: 'imap.example.com', user: 'home', password: 'old home password' });
  // The password was changed on another computer: Home is signed out.
  h.mail.changePassword('home', 'new home password');
  await eventually('Home to be signed out', async () => (await h.account(home.account.id))?.status.state === 'auth-failed');
  hub = createHub(h.client, createAppStore());
  await refreshAll(hub);
});

afterEach(async () => {
  await h.dispose();
});

describe('the account settings dialog', () => {
  it('opens for one account, focused on the password when asked, and closes', () => {
    openAccountSettings(hub, home.account.id, 'password');
    expect(state().accountSettings).toEqual({ accountId: home.account.id, focus: 'password', signingIn: false, passwordError: null, removeStep: 'idle', removeError: null });
    closeAccountSettings(hub);
    expect(state().accountSettings).toBeNull();
  });
});

describe('signing in again', () => {
  it('sends the new password, closes the dialog, shows the account reconnecting and says so', async () => {
    expect(shown(home.account.id)?.status).toEqual({ state: 'auth-failed', reason: 'The server refused this user name or password.' });
    openAccountSettings(hub, home.account.id, 'password');
    const signing = updateAccountPassword(hub, home.account.id, 'new home password');
    expect(state().accountSettings?.signingIn).toBe(true);
    const result = await signing;
    expect(result).toEqual({ ok: true });
    expect(h.client.paramsOf('accounts.updatePassword')).toEqual([{ accountId: home.account.id, password: 'new home password' }]);
    expect(state().accountSettings).toBeNull();
    expect(shown(home.account.id)?.status.state).not.toBe('auth-failed');
    expect(toasts()).toEqual([['info', 'Signed in to Home again.']]);
    expect(JSON.stringify(state())).not.toContain('new home password');
    await eventually('Home to be online with the new password', async () => (await h.account(home.account.id))?.status.state === 'online');
  });

  it('keeps the dialog open with the server’s error under the password, and clears it when the user types', async () => {
    openAccountSettings(hub, home.account.id, 'password');
    const result = await updateAccountPassword(hub, home.account.id, 'wrong password');
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The server refused this user name or password.', field: 'password' } });
    expect(state().accountSettings).toMatchObject({ accountId: home.account.id, signingIn: false, passwordError: 'The server refused this user name or password.' });
    expect(shown(home.account.id)?.status.state).toBe('auth-failed');
    expect(toasts()).toEqual([]);
    clearPasswordError(hub, home.account.id);
    expect(state().accountSettings?.passwordError).toBeNull();
  });

  it('blanks the password out of an error message that quotes it', async () => {
    openAccountSettings(hub, home.account.id);
    h.mail.failNext('login', { code: 'connection-failed', message: 'LOGIN home hunter22 timed out' });
    const result = await updateAccountPassword(hub, home.account.id, 'hunter22');
    expect(result.ok).toBe(false);
    expect(state().accountSettings?.passwordError).toBe('LOGIN home •••• timed out');
    expect(JSON.stringify(state())).not.toContain('hunter22');
  });

  it('asks for a password before calling the hub', async () => {
    openAccountSettings(hub, home.account.id);
    await updateAccountPassword(hub, home.account.id, '');
    expect(state().accountSettings?.passwordError).toBe('Enter the password.');
    expect(h.client.countCalls('accounts.updatePassword')).toBe(0);
  });

  it('leaves a dialog the user has since opened for another account alone', async () => {
    openAccountSettings(hub, home.account.id);
    const signing = updateAccountPassword(hub, home.account.id, 'wrong password');
    openAccountSettings(hub, work.account.id);
    await signing;
    expect(state().accountSettings).toMatchObject({ accountId: work.account.id, passwordError: null, signingIn: false });
  });
});

describe('changing an account', () => {
  it('renames any account, and the list shows the new name', async () => {
    expect(await updateAccount(hub, work.account.id, { displayName: 'Office' })).toEqual({ ok: true });
    expect(h.client.paramsOf('accounts.update')).toEqual([{ accountId: work.account.id, changes: { displayName: 'Office' } }]);
    expect(shown(work.account.id)?.account.displayName).toBe('Office');
    expect((await h.account(work.account.id))?.account.displayName).toBe('Office');
    expect(toasts()).toEqual([['info', 'Renamed to Office.']]);
  });

  it('checks a new server with it before saving, and keeps the old settings when it refuses', async () => {
    h.mail.failNext('login', { code: 'connection-failed', message: 'imap.new.example.com did not answer.' });
    const refused = await updateAccount(hub, work.account.id, { host: 'imap.new.example.com' });
    expect(refused).toEqual({ ok: false, error: { code: 'connection-failed', message: 'imap.new.example.com did not answer.' } });
    expect((await h.account(work.account.id))?.account.settings).toMatchObject({ host: 'imap.example.com' });

    expect(await updateAccount(hub, work.account.id, { host: 'imap.new.example.com', port: 1993 })).toEqual({ ok: true });
    expect(shown(work.account.id)?.account.settings).toMatchObject({ host: 'imap.new.example.com', port: 1993 });
    expect(toasts().at(-1)).toEqual(['info', 'Saved the settings of Work.']);
    expect(shown(work.account.id)?.summary).toContain('imap.new.example.com');
  });

  it('shows what the kind refuses beside its field, and saves nothing', async () => {
    const result = await updateAccount(hub, work.account.id, { port: 70_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'port' } });
    expect((await h.account(work.account.id))?.account.settings).toMatchObject({ port: 993 });
    expect(toasts()).toEqual([]);
  });

  it('changes a feed’s alert rules', async () => {
    h.feeds.feed('https://status.example.com/feed.xml', 'Status', feedEntries(3));
    const feed = await h.addAccount('feed', { url: 'https://status.example.com/feed.xml' });
    await refreshAll(hub);
    const result = await updateAccount(hub, feed.account.id, { intervalSeconds: 300, folder: 'Ops', keywords: ['outage'], alertLevel: 'notify' });
    expect(result).toEqual({ ok: true });
    expect(shown(feed.account.id)?.account.settings).toMatchObject({ intervalSeconds: 300, folder: 'Ops', keywords: ['outage'], alertLevel: 'notify' });
    const refused = await updateAccount(hub, feed.account.id, { intervalSeconds: 5 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'intervalSeconds' } });
  });
});

describe('removing an account', () => {
  it('asks first, then removes it, shows All again and reloads accounts, counts and the list', async () => {
    await setView(hub, { accountId: home.account.id });
    await openItem(hub, `${home.account.id}:h2`);
    openAccountSettings(hub, home.account.id);
    confirmRemoveAccount(hub, home.account.id, true);
    expect(state().accountSettings?.removeStep).toBe('confirm');
    const calls = { accounts: h.client.countCalls('accounts.list'), counts: h.client.countCalls('inbox.counts'), list: h.client.countCalls('inbox.list') };

    const removing = removeAccount(hub, home.account.id);
    expect(state().accountSettings?.removeStep).toBe('removing');
    const result = await removing;

    expect(result.ok).toBe(true);
    expect(state().accountSettings).toBeNull();
    expect(state().view).toEqual({});
    expect(state().accounts.map((a) => a.account.id)).toEqual([work.account.id]);
    expect(state().items.length).toBe(30);
    expect(state().items.every((i) => i.accountId === work.account.id)).toBe(true);
    expect(state().counts?.byAccount[home.account.id]).toBeUndefined();
    const counts = await h.direct.call('inbox.counts', {});
    expect(counts.ok && state().counts?.all).toBe(counts.ok && counts.value.all);
    expect(state().openId).toBeNull();
    expect(state().detail).toBeNull();
    expect(h.client.countCalls('accounts.list')).toBe(calls.accounts + 1);
    expect(h.client.countCalls('inbox.counts')).toBe(calls.counts + 1);
    expect(h.client.countCalls('inbox.list')).toBe(calls.list + 1);
    expect(toasts()).toEqual([['info', 'Removed Home.']]);
    expect(await h.account(home.account.id)).toBeUndefined();
  });

  it('keeps the view when it showed another account', async () => {
    await setView(hub, { accountId: work.account.id });
    openAccountSettings(hub, home.account.id);
    await removeAccount(hub, home.account.id);
    expect(state().view).toEqual({ accountId: work.account.id });
    expect(state().items.every((i) => i.accountId === work.account.id)).toBe(true);
  });

  it('says why when the hub cannot be reached, and keeps the account and the dialog', async () => {
    await setView(hub, { accountId: home.account.id });
    openAccountSettings(hub, home.account.id);
    confirmRemoveAccount(hub, home.account.id, true);
    h.client.failNext('accounts.remove', { code: 'connection-failed', message: 'Lost connection to the Groundswell hub; retrying…' });
    const result = await removeAccount(hub, home.account.id);
    expect(result.ok).toBe(false);
    expect(toasts()).toEqual([['error', 'Could not remove Home: Lost connection to the Groundswell hub; retrying…']]);
    expect(state().accountSettings).toMatchObject({ accountId: home.account.id, removeStep: 'confirm', removeError: 'Lost connection to the Groundswell hub; retrying…' });
    expect(state().accounts.map((a) => a.account.id)).toEqual([work.account.id, home.account.id]);
    expect(state().view).toEqual({ accountId: home.account.id });
    expect(await h.account(home.account.id)).toBeDefined();
  });

  it('says why when the account is gone already', async () => {
    openAccountSettings(hub, home.account.id);
    await h.direct.call('accounts.remove', { accountId: home.account.id });
    const result = await removeAccount(hub, home.account.id);
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(toasts()[0]?.[1]).toMatch(/^Could not remove Home: /);
  });

  it('closes the dialog when the account was removed elsewhere', async () => {
    openAccountSettings(hub, home.account.id);
    await h.direct.call('accounts.remove', { accountId: home.account.id });
    await refreshAll(hub);
    expect(state().accountSettings).toBeNull();
  });

  it('steps back from the confirmation without calling the hub', () => {
    openAccountSettings(hub, home.account.id);
    confirmRemoveAccount(hub, home.account.id, true);
    confirmRemoveAccount(hub, home.account.id, false);
    expect(state().accountSettings?.removeStep).toBe('idle');
    expect(h.client.countCalls('accounts.remove')).toBe(0);
  });
});
