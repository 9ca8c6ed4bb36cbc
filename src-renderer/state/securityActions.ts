/**
 * What the UI does with a Matrix account's end-to-end encryption: the Security dialog (this device,
 * cross-signing, the user's other devices, emoji verification, key backup), and pointing out a
 * request from another device while that dialog is closed. Like actions.ts these are plain
 * functions over a Hub, so the hub's events and the components call them alike.
 */
import type { EncryptionStatus, VerificationAction, VerificationView } from '../../src-shared/api.ts';
import { isAccountOf } from '../../src-shared/domain.ts';
import type { AppError } from '../../src-shared/result.ts';
import { deviceLabel, incomingRequests } from '../format/security.ts';
import { withoutSecret } from '../format/secret.ts';
import type { Hub } from './actions.ts';
import { coalesce, frameOrTimeout, type Schedule } from './coalesce.ts';
import type { AppState, SecurityTask, SecurityView, VerificationPrompt } from './store.ts';

type Outcome = { ok: true } | { ok: false; error: AppError };
/** A new recovery key, for the dialog to show once; it never goes into the store. */
type KeyOutcome = { ok: true; recoveryKey: string } | { ok: false; error: AppError };

/** Bookkeeping that is not for the screen, kept beside the Hub so no component re-renders for it. */
interface SecurityRuntime {
  /** Latest status request per account: an answer to an older one is dropped. */
  seq: Map<string, number>;
  /** Incoming requests already pointed out per account: one the user dismissed does not come back. */
  seen: Map<string, Set<string>>;
}

const runtimes = new WeakMap<Hub, SecurityRuntime>();

function runtime(hub: Hub): SecurityRuntime {
  let r = runtimes.get(hub);
  if (r === undefined) runtimes.set(hub, (r = { seq: new Map(), seen: new Map() }));
  return r;
}

function nextSeq(hub: Hub, accountId: string): number {
  const { seq } = runtime(hub);
  const n = (seq.get(accountId) ?? 0) + 1;
  seq.set(accountId, n);
  return n;
}

function openView(state: AppState, accountId: string): SecurityView | null {
  return state.security?.accountId === accountId ? state.security : null;
}

/** Changes the dialog only if it still shows this account: an answer may land after the user moved on. */
function patchSecurity(hub: Hub, accountId: string, patch: (view: SecurityView) => Partial<SecurityView>): void {
  hub.store.setState((s) => {
    const view = openView(s, accountId);
    return view === null ? {} : { security: { ...view, ...patch(view) } };
  });
}

function startTask(hub: Hub, accountId: string, task: SecurityTask): boolean {
  const view = openView(hub.store.getState(), accountId);
  if (view?.busy.includes(task) === true) return false;
  patchSecurity(hub, accountId, (v) => ({ busy: [...v.busy, task], errors: withoutKey(v.errors, task) }));
  return true;
}

function endTask(hub: Hub, accountId: string, task: SecurityTask, error?: AppError): void {
  patchSecurity(hub, accountId, (v) => ({
    busy: v.busy.filter((t) => t !== task),
    errors: error === undefined ? withoutKey(v.errors, task) : { ...v.errors, [task]: error.message },
  }));
}

function withoutKey<K extends string, V>(record: Partial<Record<K, V>>, key: K): Partial<Record<K, V>> {
  if (!(key in record)) return record;
  const rest = { ...record };
  delete rest[key];
  return rest;
}

const BUSY: AppError = { code: 'invalid-input', message: 'Groundswell is already doing this; wait for it to finish.' };

// ---------------------------------------------------------------- the status

/**
 * Takes a status the hub sent: the dialog shows it, and requests from other devices that nobody has
 * answered are pointed out in the main window unless this account's dialog is open (it shows them).
 * Prompts whose request moved on (accepted elsewhere, cancelled, timed out) go away.
 */
function applyStatus(hub: Hub, accountId: string, status: EncryptionStatus): void {
  const requests = incomingRequests(status);
  const seen = runtime(hub).seen.get(accountId) ?? new Set<string>();
  runtime(hub).seen.set(accountId, seen);
  const fresh = requests.filter((v) => !seen.has(v.requestId));
  for (const v of requests) seen.add(v.requestId);
  const waiting = new Set(requests.map((v) => v.requestId));
  hub.store.setState((s) => {
    const view = openView(s, accountId);
    const prompts = s.verificationPrompts.filter((p) => p.accountId !== accountId || (view === null && waiting.has(p.requestId)));
    if (view === null) prompts.push(...fresh.map((v): VerificationPrompt => ({ accountId, requestId: v.requestId, from: deviceLabel(status.devices, v.otherDeviceId) })));
    const still = (id: string): boolean => status.verifications.some((v) => v.requestId === id && v.phase === 'compare-emoji');
    return {
      verificationPrompts: prompts,
      ...(view === null
        ? {}
        : {
            security: {
              ...view,
              status: { ...status, verifications: keepOtherDevices(status.verifications, view.status?.verifications ?? []) },
              loadState: 'idle' as const,
              loadError: null,
              confirmed: view.confirmed.filter(still),
            },
          }),
    };
  });
}

/** A status that came with an action's answer is newer than any reload still on its way. */
function tookStatus(hub: Hub, accountId: string, status: EncryptionStatus): void {
  nextSeq(hub, accountId);
  applyStatus(hub, accountId, status);
}

/** A verification the hub answered with: replaces the one shown, or joins the list. */
function tookVerification(hub: Hub, accountId: string, verification: VerificationView): void {
  patchSecurity(hub, accountId, (v) => {
    if (v.status === null) return {};
    const others = v.status.verifications.filter((x) => x.requestId !== verification.requestId);
    return { status: { ...v.status, verifications: [...others, ...keepOtherDevices([verification], v.status.verifications)] } };
  });
}

/**
 * The SDK forgets which device a verification was with once it is over (done or cancelled): the
 * dialog keeps the device it knew, so a finished row still says "Request from Phone (PHONE42)"
 * rather than "Another device".
 */
function keepOtherDevices(next: readonly VerificationView[], before: readonly VerificationView[]): VerificationView[] {
  return next.map((v) => {
    if (v.otherDeviceId !== undefined && v.otherDeviceId !== '') return v;
    const known = before.find((b) => b.requestId === v.requestId)?.otherDeviceId;
    return known === undefined ? v : { ...v, otherDeviceId: known };
  });
}

/**
 * Fetches the account's encryption state: when its dialog opens, on `security.changed`, when the
 * account comes online (a request may have arrived before this window did) and after a reconnect.
 */
export async function loadSecurityStatus(hub: Hub, accountId: string): Promise<void> {
  const seq = nextSeq(hub, accountId);
  if (openView(hub.store.getState(), accountId)?.status === null) patchSecurity(hub, accountId, () => ({ loadState: 'loading', loadError: null }));
  const result = await hub.client.call('security.status', { accountId });
  if (seq !== runtime(hub).seq.get(accountId)) return;
  if (result.ok) applyStatus(hub, accountId, result.value);
  // A failed reload keeps what the dialog shows; outside the dialog a failure is not worth a word.
  else patchSecurity(hub, accountId, (v) => (v.status === null ? { loadState: 'error', loadError: result.error.message } : {}));
}

// ---------------------------------------------------------------- the dialog

export function openSecurity(hub: Hub, accountId: string): Promise<void> {
  hub.store.setState((s) => ({
    security:
      openView(s, accountId) ??
      { accountId, status: null, loadState: 'loading', loadError: null, busy: [], errors: {}, confirmed: [], restored: null, resetAsking: false },
    // The dialog lists the account's verifications itself.
    verificationPrompts: s.verificationPrompts.filter((p) => p.accountId !== accountId),
  }));
  return loadSecurityStatus(hub, accountId);
}

export function closeSecurity(hub: Hub): void {
  hub.store.setState({ security: null });
}

/** The user changed what a task's error was about (typed in its field): the old error goes. */
export function clearSecurityError(hub: Hub, accountId: string, task: SecurityTask): void {
  if (openView(hub.store.getState(), accountId)?.errors[task] !== undefined) patchSecurity(hub, accountId, (v) => ({ errors: withoutKey(v.errors, task) }));
}

// ---------------------------------------------------------------- cross-signing

/** Creates the account's cross-signing identity; the homeserver wants the password to take it. */
export async function setUpCrossSigning(hub: Hub, accountId: string, password: string): Promise<Outcome> {
  const task: SecurityTask = 'cross-signing';
  if (password === '') {
    const error: AppError = { code: 'invalid-input', message: 'Enter your account password.', field: 'password' };
    patchSecurity(hub, accountId, (v) => ({ errors: { ...v.errors, [task]: error.message } }));
    return { ok: false, error };
  }
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  const result = await hub.client.call('security.setUpCrossSigning', { accountId, password });
  if (!result.ok) {
    const error = { ...result.error, message: withoutSecret(result.error.message, password) };
    endTask(hub, accountId, task, error);
    return { ok: false, error };
  }
  tookStatus(hub, accountId, result.value);
  endTask(hub, accountId, task);
  return { ok: true };
}

// ---------------------------------------------------------------- verification

export function verifyTask(deviceId: string): SecurityTask {
  return `verify-device:${deviceId}`;
}

export function verificationTask(requestId: string): SecurityTask {
  return `verification:${requestId}`;
}

/** Asks another of the user's devices to verify this one; the request shows among the verifications. */
export async function verifyDevice(hub: Hub, accountId: string, deviceId: string): Promise<Outcome> {
  const task = verifyTask(deviceId);
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  const result = await hub.client.call('security.verifyDevice', { accountId, deviceId });
  if (!result.ok) {
    endTask(hub, accountId, task, result.error);
    return result;
  }
  tookVerification(hub, accountId, result.value);
  endTask(hub, accountId, task);
  return { ok: true };
}

/** Accept, start the emoji, say whether they match, or cancel (Decline on a request). */
export async function respondToVerification(hub: Hub, accountId: string, requestId: string, action: VerificationAction): Promise<Outcome> {
  const task = verificationTask(requestId);
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  const result = await hub.client.call('security.respondToVerification', { accountId, requestId, action });
  if (!result.ok) {
    endTask(hub, accountId, task, result.error);
    return result;
  }
  tookVerification(hub, accountId, result.value);
  if (action === 'confirm' && result.value.phase === 'compare-emoji') {
    patchSecurity(hub, accountId, (v) => ({ confirmed: v.confirmed.includes(requestId) ? v.confirmed : [...v.confirmed, requestId] }));
  }
  endTask(hub, accountId, task);
  return { ok: true };
}

// ---------------------------------------------------------------- prompts in the main window

export function dismissVerificationPrompt(hub: Hub, requestId: string): void {
  hub.store.setState((s) => ({ verificationPrompts: s.verificationPrompts.filter((p) => p.requestId !== requestId) }));
}

// ---------------------------------------------------------------- key backup

/** Turns key backup on. The new recovery key goes back to the caller to show once. */
export async function setUpBackup(hub: Hub, accountId: string): Promise<KeyOutcome> {
  const task: SecurityTask = 'set-up-backup';
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  const result = await hub.client.call('security.setUpBackup', { accountId });
  if (!result.ok) {
    endTask(hub, accountId, task, result.error);
    return result;
  }
  tookStatus(hub, accountId, result.value.status);
  endTask(hub, accountId, task);
  return { ok: true, recoveryKey: result.value.recoveryKey };
}

/** Opens the backup with the recovery key; says how many keys came back. */
export async function restoreBackup(hub: Hub, accountId: string, recoveryKey: string): Promise<Outcome> {
  const task: SecurityTask = 'restore-backup';
  const key = recoveryKey.trim();
  if (key === '') {
    const error: AppError = { code: 'invalid-input', message: 'Enter the recovery key.', field: 'recoveryKey' };
    patchSecurity(hub, accountId, (v) => ({ errors: { ...v.errors, [task]: error.message } }));
    return { ok: false, error };
  }
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  patchSecurity(hub, accountId, () => ({ restored: null }));
  const result = await hub.client.call('security.restoreBackup', { accountId, recoveryKey: key });
  if (!result.ok) {
    const error = { ...result.error, message: withoutSecret(result.error.message, key) };
    endTask(hub, accountId, task, error);
    return { ok: false, error };
  }
  const { imported, total, status } = result.value;
  tookStatus(hub, accountId, status);
  patchSecurity(hub, accountId, () => ({ restored: { imported, total } }));
  endTask(hub, accountId, task);
  return { ok: true };
}

/** "Reset backup…" asks first (true), or steps back (false). */
export function askResetBackup(hub: Hub, accountId: string, asking: boolean): void {
  patchSecurity(hub, accountId, (v) => ({ resetAsking: asking, errors: withoutKey(v.errors, 'reset-backup') }));
}

/** Deletes the backup and makes a new one; the new recovery key goes back to the caller to show once. */
export async function resetBackup(hub: Hub, accountId: string): Promise<KeyOutcome> {
  const task: SecurityTask = 'reset-backup';
  if (!startTask(hub, accountId, task)) return { ok: false, error: BUSY };
  const result = await hub.client.call('security.resetBackup', { accountId, confirm: true });
  if (!result.ok) {
    endTask(hub, accountId, task, result.error);
    return result;
  }
  tookStatus(hub, accountId, result.value.status);
  patchSecurity(hub, accountId, () => ({ resetAsking: false, restored: null }));
  endTask(hub, accountId, task);
  return { ok: true, recoveryKey: result.value.recoveryKey };
}

// ---------------------------------------------------------------- hub events

function matrixAccountIds(state: AppState): string[] {
  return state.accounts.filter((a) => isAccountOf(a.account, 'matrix')).map((a) => a.account.id);
}

/**
 * Fetches an account's encryption state when the hub says it changed (bursts become one fetch per
 * account), when a Matrix account comes online, and after a reconnect (events sent meanwhile are lost).
 * Closes the dialog of an account that went away.
 */
export function followSecurityEvents(hub: Hub, schedule: Schedule = frameOrTimeout): () => void {
  const changes = coalesce<string>((accountIds) => Promise.all([...accountIds].map((id) => loadSecurityStatus(hub, id))).then(() => undefined), schedule);
  const offEvent = hub.client.on('security.changed', (p) => changes.push([p.accountId]));
  const online = new Set<string>();
  const offStore = hub.store.subscribe((s, before) => {
    if (before.connection === 'offline' && s.connection === 'online') {
      changes.push([...matrixAccountIds(s), ...(s.security === null ? [] : [s.security.accountId])]);
    }
    if (s.accounts === before.accounts) return;
    const known = new Set(s.accounts.map((a) => a.account.id));
    for (const view of s.accounts) {
      if (!isAccountOf(view.account, 'matrix')) continue;
      const id = view.account.id;
      if (view.status.state !== 'online') online.delete(id);
      else if (!online.has(id)) {
        online.add(id);
        changes.push([id]);
      }
    }
    for (const id of online) if (!known.has(id)) online.delete(id);
    if (!s.accountsLoaded) return;
    const gone = (id: string): boolean => !known.has(id);
    if ((s.security !== null && gone(s.security.accountId)) || s.verificationPrompts.some((p) => gone(p.accountId))) {
      hub.store.setState((now) => ({
        security: now.security !== null && gone(now.security.accountId) ? null : now.security,
        verificationPrompts: now.verificationPrompts.filter((p) => !gone(p.accountId)),
      }));
    }
  });
  // Accounts already in the store when this starts count as just seen.
  const initial = hub.store.getState();
  for (const view of initial.accounts) {
    if (isAccountOf(view.account, 'matrix') && view.status.state === 'online') {
      online.add(view.account.id);
      changes.push([view.account.id]);
    }
  }
  return () => {
    offEvent();
    offStore();
  };
}
