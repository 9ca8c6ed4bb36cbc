import { beforeEach, describe, expect, it } from 'vitest';
import type { VerificationView } from '../../src-shared/api.ts';
import { MemoryHub, encryptionStatus, imapAccount, matrixAccount } from '../testing/memoryHub.ts';
import { createHub, loadAccounts, refreshAll, setConnection, type Hub } from './actions.ts';
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

let server: MemoryHub;
let hub: Hub;

function state() {
  return hub.store.getState();
}

function view() {
  const v = state().security;
  if (v === null) throw new Error('no Security dialog open');
  return v;
}

function statusCalls(): number {
  return server.countCalls('security.status');
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Another device of the user's asks to verify this one, as the hub would see it arrive. */
function incomingRequest(requestId: string, otherDeviceId = 'PHONE42'): VerificationView {
  const v: VerificationView = { requestId, incoming: true, otherUserId: '@me:example.org', otherDeviceId, phase: 'requested' };
  server.security.get('chat')?.verifications.push(v);
  return v;
}

beforeEach(async () => {
  server = new MemoryHub();
  server.accounts = [matrixAccount('chat', 'Team chat'), imapAccount('work', 'Work')];
  server.passwords.set('chat', 'matrix password');
  server.security.set('chat', encryptionStatus('chat'));
  hub = createHub(server, createAppStore());
  await refreshAll(hub);
});

describe('the Security dialog', () => {
  it('opens for one account and loads its encryption state', async () => {
    const opening = openSecurity(hub, 'chat');
    expect(view()).toMatchObject({ accountId: 'chat', status: null, loadState: 'loading' });
    await opening;
    expect(view()).toMatchObject({ status: { deviceId: 'GSWELL01', crossSigning: 'not-set-up', backup: { state: 'off' } }, loadState: 'idle', loadError: null });
    closeSecurity(hub);
    expect(state().security).toBeNull();
  });

  it('says why the first load failed, and a failed reload keeps what is shown', async () => {
    server.failNext('security.status', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    await openSecurity(hub, 'chat');
    expect(view()).toMatchObject({ status: null, loadState: 'error', loadError: 'The homeserver did not answer.' });
    await loadSecurityStatus(hub, 'chat');
    expect(view()).toMatchObject({ loadState: 'idle', loadError: null });
    server.failNext('security.status', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    await loadSecurityStatus(hub, 'chat');
    expect(view()).toMatchObject({ status: { deviceId: 'GSWELL01' }, loadState: 'idle', loadError: null });
  });

  it('drops an answer that lands after the dialog moved to another account or closed', async () => {
    server.security.set('other', encryptionStatus('other', { deviceId: 'OTHER' }));
    server.hold('security.status');
    const first = openSecurity(hub, 'chat');
    closeSecurity(hub);
    server.release('security.status');
    await first;
    expect(state().security).toBeNull();
  });
});

describe('cross-signing', () => {
  beforeEach(() => openSecurity(hub, 'chat'));

  it('asks for the password before calling the hub', async () => {
    const result = await setUpCrossSigning(hub, 'chat', '');
    expect(result.ok).toBe(false);
    expect(view().errors['cross-signing']).toBe('Enter your account password.');
    expect(server.countCalls('security.setUpCrossSigning')).toBe(0);
  });

  it('shows the homeserver’s refusal beside the password, blanked of it, and clears it when the user types', async () => {
    server.failNext('security.setUpCrossSigning', { code: 'auth-failed', message: 'Wrong password hunter22', field: 'password' });
    const result = await setUpCrossSigning(hub, 'chat', 'hunter22');
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'Wrong password ••••', field: 'password' } });
    expect(view()).toMatchObject({ busy: [], errors: { 'cross-signing': 'Wrong password ••••' } });
    clearSecurityError(hub, 'chat', 'cross-signing');
    expect(view().errors).toEqual({});
    expect(JSON.stringify(state())).not.toContain('hunter22');
  });

  it('sets it up with the right password: this device becomes verified', async () => {
    const setting = setUpCrossSigning(hub, 'chat', 'matrix password');
    expect(view().busy).toEqual(['cross-signing']);
    expect(await setting).toEqual({ ok: true });
    expect(view()).toMatchObject({ busy: [], errors: {}, status: { crossSigning: 'ready', thisDeviceVerified: true } });
    expect(JSON.stringify(state())).not.toContain('matrix password');
  });
});

describe('verifying', () => {
  beforeEach(() => openSecurity(hub, 'chat'));

  it('asks another device, which shows among the verifications; a refusal shows beside that device', async () => {
    expect(await verifyDevice(hub, 'chat', 'PHONE42')).toEqual({ ok: true });
    expect(view().status?.verifications).toEqual([expect.objectContaining({ otherDeviceId: 'PHONE42', incoming: false, phase: 'requested' })]);
    const gone = await verifyDevice(hub, 'chat', 'GONE');
    expect(gone.ok).toBe(false);
    expect(view().errors['verify-device:GONE']).toBe('That device is not one of yours any more.');
  });

  it('goes from a request through the emoji to verified, waiting for the other device after "They match"', async () => {
    const { requestId } = incomingRequest('txn-in');
    await loadSecurityStatus(hub, 'chat');
    await respondToVerification(hub, 'chat', requestId, 'accept');
    expect(view().status?.verifications[0]?.phase).toBe('ready');
    await respondToVerification(hub, 'chat', requestId, 'start');
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'compare-emoji', emoji: expect.arrayContaining([{ symbol: '🐶', name: 'dog' }]) });
    expect(view().status?.verifications[0]?.emoji).toHaveLength(7);
    await respondToVerification(hub, 'chat', requestId, 'confirm');
    expect(view().confirmed).toEqual([requestId]);
    server.finishVerification('chat', requestId);
    await loadSecurityStatus(hub, 'chat');
    expect(view().status?.verifications[0]?.phase).toBe('done');
    expect(view().status?.devices.find((d) => d.deviceId === 'PHONE42')?.verified).toBe(true);
    expect(view().confirmed).toEqual([]);
  });

  it('keeps saying which device a verification was with after the hub forgot it (the SDK does, once one is over)', async () => {
    const { requestId } = incomingRequest('txn-in');
    await loadSecurityStatus(hub, 'chat');
    await respondToVerification(hub, 'chat', requestId, 'accept');
    server.finishVerification('chat', requestId);
    delete server.security.get('chat')!.verifications[0]!.otherDeviceId;
    await loadSecurityStatus(hub, 'chat');
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'done', otherDeviceId: 'PHONE42' });
    await respondToVerification(hub, 'chat', requestId, 'cancel');
    expect(view().status?.verifications[0]?.otherDeviceId).toBe('PHONE42');
  });

  it('says why a step failed, beside that verification', async () => {
    const { requestId } = incomingRequest('txn-in');
    await loadSecurityStatus(hub, 'chat');
    const result = await respondToVerification(hub, 'chat', requestId, 'start');
    expect(result.ok).toBe(false);
    expect(view().errors[`verification:${requestId}`]).toBe('Both devices must have accepted before the emoji comparison can start.');
    await respondToVerification(hub, 'chat', requestId, 'cancel');
    expect(view().errors[`verification:${requestId}`]).toBeUndefined();
    expect(view().status?.verifications[0]).toMatchObject({ phase: 'cancelled', reason: 'Cancelled.' });
  });
});

describe('key backup', () => {
  beforeEach(() => openSecurity(hub, 'chat'));

  it('sets up a backup and hands the new recovery key to the caller only', async () => {
    const result = await setUpBackup(hub, 'chat');
    expect(result).toEqual({ ok: true, recoveryKey: server.recoveryKeys.get('chat') });
    expect(view().status?.backup).toEqual({ state: 'on', version: '1' });
    expect(JSON.stringify(state())).not.toContain(server.recoveryKeys.get('chat'));
  });

  it('shows a failure to set up beside the button', async () => {
    server.failNext('security.setUpBackup', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    expect((await setUpBackup(hub, 'chat')).ok).toBe(false);
    expect(view()).toMatchObject({ busy: [], errors: { 'set-up-backup': 'The homeserver did not answer.' } });
  });

  it('restores a locked backup with the recovery key and says how many keys came back', async () => {
    server.security.get('chat')!.backup = { state: 'locked', version: '4' };
    server.recoveryKeys.set('chat', 'EsTc AAAA BBBB CCCC');
    await loadSecurityStatus(hub, 'chat');

    expect((await restoreBackup(hub, 'chat', '  ')).ok).toBe(false);
    expect(view().errors['restore-backup']).toBe('Enter the recovery key.');

    server.failNext('security.restoreBackup', { code: 'invalid-input', message: 'EsTc WRONG does not open the backup.', field: 'recoveryKey' });
    expect((await restoreBackup(hub, 'chat', 'EsTc WRONG')).ok).toBe(false);
    expect(view().errors['restore-backup']).toBe('•••• does not open the backup.');

    expect(await restoreBackup(hub, 'chat', ' EsTc AAAA BBBB CCCC\n')).toEqual({ ok: true });
    expect(server.calls.filter((c) => c.name === 'security.restoreBackup').at(-1)?.params).toEqual({ accountId: 'chat', recoveryKey: 'EsTc AAAA BBBB CCCC' });
    expect(view()).toMatchObject({ restored: { imported: 38, total: 40 }, status: { backup: { state: 'on', version: '4' } }, errors: {} });
    expect(JSON.stringify(state())).not.toContain('AAAA');
  });

  it('resets only after asking, with confirm: true, and hands back the new key', async () => {
    await setUpBackup(hub, 'chat');
    const oldKey = server.recoveryKeys.get('chat');
    askResetBackup(hub, 'chat', true);
    expect(view().resetAsking).toBe(true);
    askResetBackup(hub, 'chat', false);
    expect(view().resetAsking).toBe(false);
    askResetBackup(hub, 'chat', true);
    const result = await resetBackup(hub, 'chat');
    expect(server.calls.filter((c) => c.name === 'security.resetBackup').map((c) => c.params)).toEqual([{ accountId: 'chat', confirm: true }]);
    expect(result.ok && result.recoveryKey !== oldKey).toBe(true);
    expect(view()).toMatchObject({ resetAsking: false, status: { backup: { state: 'on', version: '2' } } });
  });

  it('keeps asking and shows why when the reset fails', async () => {
    await setUpBackup(hub, 'chat');
    askResetBackup(hub, 'chat', true);
    server.failNext('security.resetBackup', { code: 'connection-failed', message: 'The homeserver did not answer.' });
    expect((await resetBackup(hub, 'chat')).ok).toBe(false);
    expect(view()).toMatchObject({ resetAsking: true, errors: { 'reset-backup': 'The homeserver did not answer.' } });
  });
});

describe('following the hub', () => {
  let frames: ReturnType<typeof manualFrames>;
  let stop: () => void;

  beforeEach(async () => {
    frames = manualFrames();
    stop = followSecurityEvents(hub, frames.schedule);
    // The Matrix account is online at the start: its state is fetched once, for requests that came before this window.
    frames.flush();
    await settle();
  });

  it('fetches the state of Matrix accounts that are online, and again when one comes back online', async () => {
    expect(statusCalls()).toBe(1);
    hub.store.setState((s) => ({ accounts: s.accounts.map((a) => (a.account.id === 'chat' ? { ...a, status: { state: 'offline', reason: 'x', nextRetryAt: 0 } } : a)) }));
    hub.store.setState((s) => ({ accounts: s.accounts.map((a) => (a.account.id === 'chat' ? { ...a, status: { state: 'online', since: 1 } } : a)) }));
    frames.flush();
    await settle();
    expect(statusCalls()).toBe(2);
    stop();
  });

  it('points out a new request from another device in the main window, once', async () => {
    incomingRequest('txn-1');
    server.emit('security.changed', { accountId: 'chat' });
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(statusCalls()).toBe(2); // a burst is one fetch
    expect(state().verificationPrompts).toEqual([{ accountId: 'chat', requestId: 'txn-1', from: 'Element on phone (PHONE42)' }]);

    // Dismissed, it does not come back with the next change.
    dismissVerificationPrompt(hub, 'txn-1');
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(state().verificationPrompts).toEqual([]);
    stop();
  });

  it('takes the prompt away when the request is answered elsewhere or cancelled', async () => {
    const v = incomingRequest('txn-1');
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(state().verificationPrompts).toHaveLength(1);
    v.phase = 'cancelled';
    v.reason = 'Another device answered this request.';
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(state().verificationPrompts).toEqual([]);
    stop();
  });

  it('opening the dialog from the prompt takes the prompt away; while it is open, requests show only there', async () => {
    incomingRequest('txn-1');
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    await openSecurity(hub, 'chat');
    expect(state().verificationPrompts).toEqual([]);
    incomingRequest('txn-2', 'LAPTOP');
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(view().status?.verifications.map((v) => v.requestId)).toEqual(['txn-1', 'txn-2']);
    expect(state().verificationPrompts).toEqual([]);
    // Closed without answering, a request already seen in the dialog is not pointed out again.
    closeSecurity(hub);
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(state().verificationPrompts).toEqual([]);
    stop();
  });

  it('fetches the state again after a reconnect, since events sent meanwhile were lost', async () => {
    setConnection(hub, 'offline');
    incomingRequest('txn-1');
    setConnection(hub, 'online');
    frames.flush();
    await settle();
    expect(state().verificationPrompts.map((p) => p.requestId)).toEqual(['txn-1']);
    stop();
  });

  it('drops the prompts of an account that was removed', async () => {
    incomingRequest('txn-1');
    server.emit('security.changed', { accountId: 'chat' });
    frames.flush();
    await settle();
    expect(state().verificationPrompts).toHaveLength(1);
    server.accounts = server.accounts.filter((a) => a.account.id !== 'chat');
    await loadAccounts(hub);
    expect(state().verificationPrompts).toEqual([]);
    stop();
  });

  it('closes the dialog of an account that was removed', async () => {
    await openSecurity(hub, 'chat');
    server.accounts = server.accounts.filter((a) => a.account.id !== 'chat');
    await loadAccounts(hub);
    expect(state().security).toBeNull();
    stop();
  });
});
