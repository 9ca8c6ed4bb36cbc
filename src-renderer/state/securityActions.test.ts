import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import type { FakeEncryption } from '../../tests/support/fake-kinds/chat-encryption.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { createHub, followHubEvents, loadAccounts, refreshAll, setConnection, type Hub } from './actions.ts';
import {
  askResetBackup,
  clearSecurityError,
  closeSecurity,
  dismissVerificationPrompt,
  followSecurityEvents,
  loadSecurityStatus,
  openSecurity,
  resetBackup,
  respondToVerification,
  restoreBackup,
  setUpBackup,
  setUpCrossSigning,
  verifyDevice,
} from './securityActions.ts';
import { createAppStore } from './store.ts';

const ME = '@me:example.org';
/** Recovery keys are 48 base58 letters and digits in groups of four; the hub refuses anything else. */
const RECOVERY_KEY = 'EsTc 9aBc DeFg HjKm NpQr StUv WxYz 2345 6789 abcd efgh ijkm';
const WRONG_KEY = 'EsTc9aBcDeFgHjKmNpQrStUvWxYz23456789abcdefghzzzz';

let h: HubHarness;
let hub: Hub;
let chat: AccountView;
let id: string;
/** The user's encryption as the homeserver and the other devices see it. */
let e2ee: FakeEncryption;

function state() {
  return hub.store.getState();
}

function view() {
  const v = state().security;
  if (v === null) throw new Error('no Security dialog open');
  return v;
}

function statusCalls(): number {
  return h.client.countCalls('security.status');
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

beforeEach(async () => {
  h = await openHubHarness();
  h.chat.user(ME, 'matrix password');
  h.mail.user('work', 'work password');
  chat = await h.addAccount('matrix', { displayName: 'Team chat', userId: ME, password: 'matrix password' });
  await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'work', password: 'work password' });
  id = chat.account.id;
  e2ee = h.chat.encryption(ME);
  hub = createHub(h.client, createAppStore());
  await refreshAll(hub);
});

afterEach(async () => {
  await h.dispose();
});

describe('the Security dialog', () => {
  it('opens for one account and loads its encryption state', async () => {
    const opening = openSecurity(hub, id);
    expect(view()).toMatchObject({ accountId: id, status: null, loadState: 'loading' });
    await opening;
    expect(view()).toMatchObject({ status: { accountId: id, deviceId: 'GSWELL01', crossSigning: 'not-set-up', backup: { state: 'off' } }, loadState: 'idle', loadError: null });
    closeSecurity(hub);
    expect(state().security).toBeNull();
  });

  it('says why the first load failed, and a failed reload keeps what is shown', async () => {
    e2ee.failNext('status', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    await openSecurity(hub, id);
    expect(view()).toMatchObject({ status: null, loadState: 'error', loadError: 'The homeserver did not answer.' });
    await loadSecurityStatus(hub, id);
    expect(view()).toMatchObject({ loadState: 'idle', loadError: null });
    e2ee.failNext('status', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    await loadSecurityStatus(hub, id);
    expect(view()).toMatchObject({ status: { deviceId: 'GSWELL01' }, loadState: 'idle', loadError: null });
  });

  it('drops an answer that lands after the dialog closed', async () => {
    h.client.hold('security.status');
    const first = openSecurity(hub, id);
    closeSecurity(hub);
    h.client.release('security.status');
    await first;
    expect(state().security).toBeNull();
  });

  it('says so for an account without end-to-end encryption', async () => {
    const work = state().accounts.find((a) => a.account.kind === 'imap')!;
    await openSecurity(hub, work.account.id);
    expect(view()).toMatchObject({ status: null, loadState: 'error', loadError: 'Work has no end-to-end encryption.' });
  });
});

describe('cross-signing', () => {
  beforeEach(() => openSecurity(hub, id));

  it('asks for the password before calling the hub', async () => {
    const result = await setUpCrossSigning(hub, id, '');
    expect(result.ok).toBe(false);
    expect(view().errors['cross-signing']).toBe('Enter your account password.');
    expect(h.client.countCalls('security.setUpCrossSigning')).toBe(0);
  });

  it('shows the homeserver’s refusal beside the password, and clears it when the user types', async () => {
    const result = await setUpCrossSigning(hub, id, 'not my password');
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The homeserver did not accept that password.', field: 'password' } });
    expect(view()).toMatchObject({ busy: [], errors: { 'cross-signing': 'The homeserver did not accept that password.' }, status: { crossSigning: 'not-set-up' } });
    clearSecurityError(hub, id, 'cross-signing');
    expect(view().errors).toEqual({});
    expect(JSON.stringify(state())).not.toContain('not my password');
  });

  it('blanks the password out of a refusal that quotes it', async () => {
    e2ee.failNext('crossSigning', { code: 'auth-failed', message: 'Wrong password hunter22' });
    const result = await setUpCrossSigning(hub, id, 'hunter22');
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'Wrong password ••••', field: 'password' } });
    expect(view().errors['cross-signing']).toBe('Wrong password ••••');
    expect(JSON.stringify(state())).not.toContain('hunter22');
  });

  it('sets it up with the right password: this device becomes verified', async () => {
    const setting = setUpCrossSigning(hub, id, 'matrix password');
    expect(view().busy).toEqual(['cross-signing']);
    expect(await setting).toEqual({ ok: true });
    expect(view()).toMatchObject({ busy: [], errors: {}, status: { crossSigning: 'ready', thisDeviceVerified: true } });
    expect(JSON.stringify(state())).not.toContain('matrix password');
  });
});

describe('verifying', () => {
  beforeEach(() => openSecurity(hub, id));

  it('asks another device, which shows among the verifications; a refusal shows beside that device', async () => {
    expect(await verifyDevice(hub, id, 'PHONE42')).toEqual({ ok: true });
    expect(view().status?.verifications).toEqual([expect.objectContaining({ otherDeviceId: 'PHONE42', incoming: false, phase: 'requested' })]);
    const gone = await verifyDevice(hub, id, 'GONE');
    expect(gone.ok).toBe(false);
    expect(view().errors['verify-device:GONE']).toBe('That device is not on your account any more.');
  });

  it('goes from a request through the emoji to verified, waiting for the other device after "They match"', async () => {
    const { requestId } = e2ee.incomingRequest('txn-in');
    await loadSecurityStatus(hub, id);
    await respondToVerification(hub, id, requestId, 'accept');
    expect(view().status?.verifications[0]?.phase).toBe('ready');
    await respondToVerification(hub, id, requestId, 'start');
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'compare-emoji', emoji: expect.arrayContaining([{ symbol: '🐶', name: 'dog' }]) });
    expect(view().status?.verifications[0]?.emoji).toHaveLength(7);
    await respondToVerification(hub, id, requestId, 'confirm');
    expect(view().confirmed).toEqual([requestId]);
    e2ee.otherDeviceConfirms(requestId);
    await loadSecurityStatus(hub, id);
    expect(view().status?.verifications[0]?.phase).toBe('done');
    expect(view().status?.devices.find((d) => d.deviceId === 'PHONE42')?.verified).toBe(true);
    expect(view().confirmed).toEqual([]);
  });

  it('keeps saying which device a verification was with after the hub forgot it (the SDK does, once one is over)', async () => {
    const { requestId } = e2ee.incomingRequest('txn-in');
    await loadSecurityStatus(hub, id);
    await respondToVerification(hub, id, requestId, 'accept');
    e2ee.otherDeviceConfirms(requestId);
    e2ee.forgetDeviceOf(requestId);
    await loadSecurityStatus(hub, id);
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'done', otherDeviceId: 'PHONE42' });
    await respondToVerification(hub, id, requestId, 'cancel');
    expect(view().status?.verifications[0]?.otherDeviceId).toBe('PHONE42');
  });

  it('says why a step failed, beside that verification', async () => {
    const { requestId } = e2ee.incomingRequest('txn-in');
    await loadSecurityStatus(hub, id);
    const result = await respondToVerification(hub, id, requestId, 'start');
    expect(result.ok).toBe(false);
    expect(view().errors[`verification:${requestId}`]).toBe('Both devices must have accepted before the emoji comparison can start.');
    await respondToVerification(hub, id, requestId, 'cancel');
    expect(view().errors[`verification:${requestId}`]).toBeUndefined();
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'cancelled', reason: 'Cancelled.' });
  });
});

describe('key backup', () => {
  beforeEach(() => openSecurity(hub, id));

  it('sets up a backup and hands the new recovery key to the caller only', async () => {
    const result = await setUpBackup(hub, id);
    expect(result).toEqual({ ok: true, recoveryKey: e2ee.recoveryKey });
    expect(view().status?.backup).toEqual({ state: 'on', version: '1' });
    expect(JSON.stringify(state())).not.toContain(e2ee.recoveryKey);
  });

  it('shows a failure to set up beside the button', async () => {
    e2ee.failNext('setUpBackup', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    expect((await setUpBackup(hub, id)).ok).toBe(false);
    expect(view()).toMatchObject({ busy: [], errors: { 'set-up-backup': 'The homeserver did not answer.' } });
  });

  it('restores a locked backup with the recovery key and says how many keys came back', async () => {
    e2ee.state.backup = { state: 'locked', version: '4' };
    e2ee.recoveryKey = RECOVERY_KEY;
    await loadSecurityStatus(hub, id);

    expect((await restoreBackup(hub, id, '  ')).ok).toBe(false);
    expect(view().errors['restore-backup']).toBe('Enter the recovery key.');

    // Not a recovery key at all: the hub says so itself, beside the field.
    expect(await restoreBackup(hub, id, 'EsTc WRONG')).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'recoveryKey' } });
    expect(view().errors['restore-backup']).toMatch(/^That is not a recovery key\./);

    expect(await restoreBackup(hub, id, WRONG_KEY)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(view().errors['restore-backup']).toBe('That recovery key does not open this account’s backup. It may belong to an older backup that was reset.');

    e2ee.failNext('restoreBackup', { code: 'invalid-input', message: `${WRONG_KEY} does not open the backup.` });
    expect((await restoreBackup(hub, id, WRONG_KEY)).ok).toBe(false);
    expect(view().errors['restore-backup']).toBe('•••• does not open the backup.');

    expect(await restoreBackup(hub, id, ` ${RECOVERY_KEY}\n`)).toEqual({ ok: true });
    expect(h.client.paramsOf('security.restoreBackup').at(-1)).toEqual({ accountId: id, recoveryKey: RECOVERY_KEY });
    expect(view()).toMatchObject({ restored: { imported: 38, total: 40 }, status: { backup: { state: 'on', version: '4' } }, errors: {} });
    expect(JSON.stringify(state())).not.toContain('HjKm');
  });

  it('resets only after asking, with confirm: true, and hands back the new key', async () => {
    await setUpBackup(hub, id);
    const oldKey = e2ee.recoveryKey;
    askResetBackup(hub, id, true);
    expect(view().resetAsking).toBe(true);
    askResetBackup(hub, id, false);
    expect(view().resetAsking).toBe(false);
    askResetBackup(hub, id, true);
    const result = await resetBackup(hub, id);
    expect(h.client.paramsOf('security.resetBackup')).toEqual([{ accountId: id, confirm: true }]);
    expect(result).toEqual({ ok: true, recoveryKey: e2ee.recoveryKey });
    expect(e2ee.recoveryKey).not.toBe(oldKey);
    expect(view()).toMatchObject({ resetAsking: false, status: { backup: { state: 'on', version: '2' } } });
  });

  it('keeps asking and shows why when the reset fails', async () => {
    await setUpBackup(hub, id);
    askResetBackup(hub, id, true);
    e2ee.failNext('resetBackup', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    expect((await resetBackup(hub, id)).ok).toBe(false);
    expect(view()).toMatchObject({ resetAsking: true, errors: { 'reset-backup': 'The homeserver did not answer.' } });
  });
});

describe('following the hub', () => {
  let frames: ReturnType<typeof manualFrames>;
  let stops: (() => void)[];

  /** Runs what the events scheduled and waits for the fetches they made. */
  async function flushAndSettle(): Promise<void> {
    frames.flush();
    await h.client.idle();
  }

  beforeEach(async () => {
    frames = manualFrames();
    stops = [followHubEvents(hub, frames.schedule), followSecurityEvents(hub, frames.schedule)];
    // The Matrix account is online at the start: its state is fetched once, for requests that came before this window.
    await flushAndSettle();
  });

  afterEach(() => {
    for (const stop of stops) stop();
  });

  it('fetches the state of Matrix accounts that are online, and again when one comes back online', async () => {
    expect(statusCalls()).toBe(1);
    h.chat.goAway(ME);
    await eventually('the account to show offline', () => state().accounts.find((a) => a.account.id === id)?.status.state === 'offline');
    await flushAndSettle();
    expect(statusCalls()).toBe(1);
    h.chat.comeBack(ME);
    await eventually('the account to show online', () => state().accounts.find((a) => a.account.id === id)?.status.state === 'online');
    await flushAndSettle();
    expect(statusCalls()).toBe(2);
  });

  it('points out a new request from another device in the main window, once', async () => {
    // Two changes at once (a request and a new device): one fetch.
    e2ee.incomingRequest('txn-1');
    e2ee.addDevice('LAPTOP', 'Element on laptop');
    await flushAndSettle();
    expect(statusCalls()).toBe(2);
    expect(state().verificationPrompts).toEqual([{ accountId: id, requestId: 'txn-1', from: 'Element on phone (PHONE42)' }]);

    // Dismissed, it does not come back with the next change.
    dismissVerificationPrompt(hub, 'txn-1');
    e2ee.addDevice('TABLET', 'Element on tablet');
    await flushAndSettle();
    expect(statusCalls()).toBe(3);
    expect(state().verificationPrompts).toEqual([]);
  });

  it('takes the prompt away when the request is answered elsewhere or cancelled', async () => {
    e2ee.incomingRequest('txn-1');
    await flushAndSettle();
    expect(state().verificationPrompts).toHaveLength(1);
    e2ee.cancelledElsewhere('txn-1', 'Another device answered this request.');
    await flushAndSettle();
    expect(state().verificationPrompts).toEqual([]);
  });

  it('opening the dialog from the prompt takes the prompt away; while it is open, requests show only there', async () => {
    e2ee.incomingRequest('txn-1');
    await flushAndSettle();
    await openSecurity(hub, id);
    expect(state().verificationPrompts).toEqual([]);
    e2ee.incomingRequest('txn-2', 'LAPTOP');
    await flushAndSettle();
    expect(view().status?.verifications.map((v) => v.requestId)).toEqual(['txn-1', 'txn-2']);
    expect(state().verificationPrompts).toEqual([]);
    // Closed without answering, a request already seen in the dialog is not pointed out again.
    closeSecurity(hub);
    const before = statusCalls();
    e2ee.addDevice('TABLET', 'Element on tablet');
    await flushAndSettle();
    expect(statusCalls()).toBe(before + 1);
    expect(state().verificationPrompts).toEqual([]);
  });

  it('fetches the state again after a reconnect, since events sent meanwhile were lost', async () => {
    setConnection(hub, 'offline');
    // Arrived while the connection was down: no security.changed reached this window.
    e2ee.state.verifications.push({ requestId: 'txn-1', incoming: true, otherUserId: ME, otherDeviceId: 'PHONE42', phase: 'requested' });
    expect(frames.pending()).toBe(0);
    setConnection(hub, 'online');
    await flushAndSettle();
    expect(state().verificationPrompts.map((p) => p.requestId)).toEqual(['txn-1']);
  });

  it('drops the prompts of an account that was removed', async () => {
    e2ee.incomingRequest('txn-1');
    await flushAndSettle();
    expect(state().verificationPrompts).toHaveLength(1);
    await h.direct.call('accounts.remove', { accountId: id });
    await loadAccounts(hub);
    expect(state().verificationPrompts).toEqual([]);
  });

  it('closes the dialog of an account that was removed', async () => {
    await openSecurity(hub, id);
    await h.direct.call('accounts.remove', { accountId: id });
    await loadAccounts(hub);
    expect(state().security).toBeNull();
  });
});
