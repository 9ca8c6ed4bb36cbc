/**
 * A Matrix account's end-to-end encryption: this device and its fingerprint, cross-signing, the
 * user's other devices, emoji verifications in both directions, and the key backup. Opened from the
 * account's settings, from "Restore from backup" under a message this device cannot read, and from
 * the main window's prompt when another device asks to verify this one. The status is loaded on
 * open and reloaded on `security.changed` (securityActions.followSecurityEvents).
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EncryptionStatus, VerificationView } from '../../src-shared/api.ts';
import {
  backupText,
  emojiName,
  groupFingerprint,
  orderVerifications,
  otherDevices,
  restoredText,
  verificationStep,
  verifyingDevice,
} from '../format/security.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { Field } from './FormField.tsx';
import {
  askResetBackup,
  clearSecurityError,
  closeSecurity,
  loadSecurityStatus,
  resetBackup,
  respondToVerification,
  restoreBackup,
  setUpBackup,
  setUpCrossSigning,
  verificationTask,
  verifyDevice,
  verifyTask,
} from '../state/securityActions.ts';
import type { SecurityTask } from '../state/store.ts';
import { returnFocus } from './AccountSettingsDialog.tsx';
import { LockIcon } from './LockIcon.tsx';
import { useModalDialog } from './useModalDialog.ts';

export function SecurityDialog() {
  const accountId = useApp((s) => s.security?.accountId ?? null);
  const name = useApp((s) => (accountId === null ? undefined : s.accounts.find((a) => a.account.id === accountId)?.account.displayName));
  if (accountId === null || name === undefined) return null;
  // Keyed by account: another account's dialog starts with empty fields and no recovery key on show.
  return <SecurityModal key={accountId} accountId={accountId} accountName={name} />;
}

/** Whether the hub is working on a task, and its last error. */
function useTask(task: SecurityTask): { busy: boolean; error: string | undefined } {
  return useApp(useShallow((s) => ({ busy: s.security?.busy.includes(task) ?? false, error: s.security?.errors[task] })));
}

function SecurityModal({ accountId, accountName }: { accountId: string; accountName: string }) {
  const hub = useHub();
  const dialog = useModalDialog();
  const [opener] = useState(() => document.activeElement);
  const { status, loadState, loadError } = useApp(
    useShallow((s) => ({ status: s.security?.status ?? null, loadState: s.security?.loadState ?? 'loading', loadError: s.security?.loadError ?? null })),
  );

  useEffect(() => {
    dialog.current?.focus();
    // The link or prompt that opened the dialog may be gone by now (a prompt goes once its dialog is open).
    return () => returnFocus(opener, accountId);
    // Once per opening (the component is keyed by account).
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog security-dialog"
      aria-label={`Security of ${accountName}`}
      tabIndex={-1}
      onCancel={(e) => {
        // The store decides whether the dialog is open; the browser must not close it behind React's back.
        e.preventDefault();
        closeSecurity(hub);
      }}
    >
      <header className="settings-header">
        <p className="dialog-kicker">
          <LockIcon /> Security and encryption
        </p>
        <h2 className="dialog-title">{accountName}</h2>
      </header>
      {status === null ? (
        loadState === 'error' ? (
          <p className="body-note error" role="alert">
            Could not load the encryption state: {loadError}{' '}
            <button type="button" className="link" onClick={() => void loadSecurityStatus(hub, accountId)}>
              Try again
            </button>
          </p>
        ) : (
          <p className="body-note">Loading…</p>
        )
      ) : (
        <>
          <ThisDeviceSection status={status} />
          <CrossSigningSection status={status} />
          <DevicesSection status={status} />
          <VerificationsSection status={status} />
          <BackupSection status={status} />
        </>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeSecurity(hub)}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function VerifiedBadge({ verified }: { verified: boolean }) {
  return <span className={`badge trust-badge ${verified ? 'verified' : 'unverified'}`}>{verified ? 'Verified' : 'Not verified'}</span>;
}

// ---------------------------------------------------------------- this device

function ThisDeviceSection({ status }: { status: EncryptionStatus }) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>This device</h3>
      <dl className="facts">
        <div className="fact">
          <dt>Device ID</dt>
          <dd>
            <code className="mono">{status.deviceId}</code>
          </dd>
        </div>
        <div className="fact">
          <dt>Fingerprint</dt>
          <dd>
            <code className="mono fingerprint">{groupFingerprint(status.fingerprint)}</code>
          </dd>
        </div>
        <div className="fact">
          <dt>Trust</dt>
          <dd>
            <VerifiedBadge verified={status.thisDeviceVerified} />
          </dd>
        </div>
      </dl>
      {!status.thisDeviceVerified ? (
        <p className="hint">Other clients list this session under its device ID; compare the fingerprint there to check it by hand.</p>
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------- cross-signing

function CrossSigningSection({ status }: { status: EncryptionStatus }) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Cross-signing</h3>
      {status.crossSigning === 'not-set-up' ? <CrossSigningForm accountId={status.accountId} /> : null}
      {status.crossSigning === 'elsewhere' ? (
        <p className="hint">
          Another of your sessions holds your cross-signing identity. Verify this device from another of your sessions, or restore with your recovery key
          {status.backup.state === 'locked' ? ' under Key backup below' : ''}.
        </p>
      ) : null}
      {status.crossSigning === 'ready' ? (
        <p className="security-state ok">Cross-signing is ready: the devices you verify vouch for each other.</p>
      ) : null}
    </section>
  );
}

function CrossSigningForm({ accountId }: { accountId: string }) {
  return (
    <SecretEntryForm
      accountId={accountId}
      task="cross-signing"
      secret="password"
      label="Account password"
      hint="Cross-signing lets your devices vouch for each other, so you verify each new one once. The homeserver asks for your password to set it up."
      submitLabel="Set up cross-signing"
      busyLabel="Setting up…"
      send={(hub, password) => setUpCrossSigning(hub, accountId, password)}
    />
  );
}

// ---------------------------------------------------------------- other devices

function DevicesSection({ status }: { status: EncryptionStatus }) {
  const id = useId();
  const devices = otherDevices(status);
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Your other devices</h3>
      {devices.length === 0 ? (
        <p className="hint">No other device is signed in to this account.</p>
      ) : (
        <ul className="device-list">
          {devices.map((d) => (
            <DeviceRow key={d.deviceId} accountId={status.accountId} device={d} verifying={verifyingDevice(status, d.deviceId)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DeviceRow({ accountId, device, verifying }: { accountId: string; device: EncryptionStatus['devices'][number]; verifying: boolean }) {
  const hub = useHub();
  const id = useId();
  const { busy, error } = useTask(verifyTask(device.deviceId));
  const name = device.displayName.trim() === '' ? device.deviceId : device.displayName;
  return (
    <li className="device" aria-labelledby={`${id}-name`}>
      <span className="device-text">
        <span id={`${id}-name`} className="device-name">
          {name}
        </span>
        {name !== device.deviceId ? <code className="mono device-id">{device.deviceId}</code> : null}
      </span>
      <VerifiedBadge verified={device.verified} />
      {!device.verified ? (
        <button
          type="button"
          aria-describedby={error !== undefined ? `${id}-error` : undefined}
          disabled={busy || verifying}
          title={verifying ? 'A verification with this device is under way below.' : undefined}
          onClick={() => void verifyDevice(hub, accountId, device.deviceId)}
        >
          {busy ? 'Asking…' : verifying ? 'Verifying…' : 'Verify'}
          <span className="visually-hidden"> {name}</span>
        </button>
      ) : null}
      {error !== undefined ? (
        <p id={`${id}-error`} className="field-error device-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

// ---------------------------------------------------------------- verifications

function VerificationsSection({ status }: { status: EncryptionStatus }) {
  const id = useId();
  const confirmed = useApp((s) => s.security?.confirmed);
  if (status.verifications.length === 0) return null;
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Verifications</h3>
      <ul className="verification-list">
        {orderVerifications(status.verifications).map((v) => (
          <VerificationRow key={v.requestId} status={status} verification={v} confirmed={confirmed?.includes(v.requestId) ?? false} />
        ))}
      </ul>
    </section>
  );
}

function VerificationRow({ status, verification, confirmed }: { status: EncryptionStatus; verification: VerificationView; confirmed: boolean }) {
  const hub = useHub();
  const id = useId();
  const row = useRef<HTMLLIElement>(null);
  /**
   * Set when the user answered here: the next step's main button (or the row) takes the focus, since the
   * one pressed is gone. Never Cancel: a stray Enter must not end a verification.
   */
  const answered = useRef(false);
  const { busy, error } = useTask(verificationTask(verification.requestId));
  const step = verificationStep(verification, status.devices, confirmed || verification.confirmedHere === true);

  useEffect(() => {
    if (!answered.current || busy) return;
    answered.current = false;
    const next = row.current?.querySelector<HTMLButtonElement>('button.primary:not(:disabled)');
    (next ?? row.current)?.focus();
  }, [busy, verification.phase, confirmed]);

  return (
    <li ref={row} className={`verification tone-${step.tone}`} aria-labelledby={`${id}-title`} aria-busy={busy ? 'true' : undefined} tabIndex={-1}>
      <p id={`${id}-title`} className="verification-title">
        {step.title}
      </p>
      {step.showEmoji && verification.emoji !== undefined ? (
        <ol className="sas-emoji" aria-label="Emoji to compare">
          {verification.emoji.map((e, i) => (
            <li key={i} className="sas-emoji-item">
              <span className="sas-symbol" aria-hidden="true">
                {e.symbol}
              </span>
              <span className="sas-name">{emojiName(e.name)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      <p className="verification-text" aria-live="polite">
        {step.text}
      </p>
      {error !== undefined ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {step.buttons.length > 0 ? (
        <div className="section-buttons">
          {step.buttons.map((b) => (
            <button
              key={b.action}
              type="button"
              className={b.style === 'plain' ? undefined : b.style}
              disabled={busy}
              onClick={() => {
                answered.current = true;
                void respondToVerification(hub, status.accountId, verification.requestId, b.action);
              }}
            >
              {b.label}
            </button>
          ))}
        </div>
      ) : null}
    </li>
  );
}

// ---------------------------------------------------------------- key backup

const RESET_WARNING =
  'Resetting deletes your current backup. Messages that only the old backup can unlock will stay unreadable on new devices. A new recovery key will be shown.';

function BackupSection({ status }: { status: EncryptionStatus }) {
  const hub = useHub();
  const id = useId();
  const section = useRef<HTMLElement>(null);
  const { accountId, backup } = status;
  /** A recovery key just made: shown this once, and forgotten when the user says it is saved or the dialog closes. */
  const [newKey, setNewKey] = useState<string | null>(null);
  const setUp = useTask('set-up-backup');
  const restored = useApp((s) => s.security?.restored ?? null);

  return (
    <section ref={section} className="settings-section backup-section" aria-labelledby={`${id}-title`} tabIndex={-1}>
      <h3 id={`${id}-title`}>Key backup</h3>
      {newKey !== null ? (
        <RecoveryKeyBox
          recoveryKey={newKey}
          onSaved={() => {
            setNewKey(null);
            section.current?.focus();
          }}
        />
      ) : null}
      {backup.state === 'off' && newKey === null ? (
        <>
          <p className="hint">
            Keeps the keys to your encrypted messages on the server, locked with a recovery key that only you have. With it, a new device can read your encrypted history.
          </p>
          {setUp.error !== undefined ? (
            <p className="field-error" role="alert">
              {setUp.error}
            </p>
          ) : null}
          <div className="section-buttons">
            <button
              type="button"
              className="primary"
              disabled={setUp.busy}
              onClick={() =>
                void setUpBackup(hub, accountId).then((r) => {
                  if (r.ok) setNewKey(r.recoveryKey);
                })
              }
            >
              {setUp.busy ? 'Setting up…' : 'Set up backup'}
            </button>
          </div>
        </>
      ) : null}
      {backup.state === 'locked' ? (
        <>
          <RestoreForm accountId={accountId} version={backup.version} />
          <ResetBackup accountId={accountId} lostKey onNewKey={setNewKey} />
        </>
      ) : null}
      {backup.state === 'on' ? (
        <>
          <p className="security-state ok">{backupText(backup.version)}</p>
          {restored !== null ? (
            <p className="security-state" role="status">
              {restoredText(restored.imported, restored.total)}
            </p>
          ) : null}
          <ResetBackup accountId={accountId} lostKey={false} onNewKey={setNewKey} />
        </>
      ) : null}
    </section>
  );
}

function RecoveryKeyBox({ recoveryKey, onSaved }: { recoveryKey: string; onSaved: () => void }) {
  const id = useId();
  const copyButton = useRef<HTMLButtonElement>(null);
  const keyText = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');

  // It replaces the button that made it: the focus goes to what the user does next.
  useEffect(() => copyButton.current?.focus(), []);

  const onCopy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(recoveryKey);
      setCopy('copied');
    } catch {
      // Without clipboard access the key is selected, for Ctrl+C.
      const el = keyText.current;
      const selection = window.getSelection();
      if (el !== null && selection !== null) selection.selectAllChildren(el);
      setCopy('failed');
    }
  };

  return (
    <div className="recovery-key" role="group" aria-labelledby={`${id}-title`} aria-describedby={`${id}-warning`}>
      <p id={`${id}-title`} className="recovery-key-title">
        Your recovery key
      </p>
      <code ref={keyText} className="mono recovery-key-value">
        {recoveryKey}
      </code>
      <p id={`${id}-warning`} className="recovery-key-warning">
        Save this key somewhere safe. Groundswell will not show it again; you need it to read your encrypted history on a new device.
      </p>
      {copy === 'failed' ? (
        <p className="field-error" role="alert">
          Could not copy to the clipboard. The key is selected: copy it with Ctrl+C (⌘C on a Mac).
        </p>
      ) : null}
      <p className="visually-hidden" aria-live="polite">
        {copy === 'copied' ? 'Recovery key copied to the clipboard.' : ''}
      </p>
      <div className="section-buttons">
        <button ref={copyButton} type="button" onClick={() => void onCopy()}>
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="primary" onClick={onSaved}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function RestoreForm({ accountId, version }: { accountId: string; version: string | undefined }) {
  return (
    <SecretEntryForm
      accountId={accountId}
      task="restore-backup"
      secret="recovery-key"
      label="Recovery key"
      hint={`There is a backup${version !== undefined ? ` (version ${version})` : ''}, but this device cannot open it. Enter the recovery key you saved when it was set up, to read your encrypted history here and keep backing up.`}
      submitLabel="Restore"
      busyLabel="Restoring…"
      // On success the section shows the backup as on, with what came back; the key is not kept.
      send={(hub, recoveryKey) => restoreBackup(hub, accountId, recoveryKey)}
    />
  );
}

/**
 * One secret typed in — the account password or a recovery key — with its hint and error, and the
 * button that sends it. The field empties on success and is selected for retyping on failure.
 */
function SecretEntryForm(props: {
  accountId: string;
  task: SecurityTask;
  secret: 'password' | 'recovery-key';
  label: string;
  hint: string;
  submitLabel: string;
  busyLabel: string;
  send: (hub: ReturnType<typeof useHub>, value: string) => Promise<{ ok: boolean }>;
}) {
  const { accountId, task, secret, label, hint, submitLabel, busyLabel, send } = props;
  const hub = useHub();
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [value, setValue] = useState('');
  const { busy, error } = useTask(task);

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    const result = await send(hub, value);
    if (result.ok) setValue('');
    else input.current?.select();
  };
  const onChange = (e: { target: { value: string } }) => {
    setValue(e.target.value);
    clearSecurityError(hub, accountId, task);
  };

  return (
    <form className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={busy ? 'true' : undefined}>
      <Field field="secret" label={label} hint={hint} errors={{ secret: error }} alert>
        {(a) =>
          secret === 'password' ? (
            <input {...a} ref={input} type="password" autoComplete="current-password" value={value} onChange={onChange} />
          ) : (
            <textarea {...a} ref={input} className="mono recovery-key-input" rows={2} spellCheck={false} autoCapitalize="off" autoComplete="off" value={value} onChange={onChange} />
          )
        }
      </Field>
      <div className="section-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** "Reset backup…", then the warning with a destructive confirm; the new key goes to the section to show once. */
function ResetBackup({ accountId, lostKey, onNewKey }: { accountId: string; lostKey: boolean; onNewKey: (key: string) => void }) {
  const hub = useHub();
  const id = useId();
  const asking = useApp((s) => s.security?.resetAsking ?? false);
  const { busy, error } = useTask('reset-backup');
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  // Focus follows the step: onto the safe choice when asked, back to "Reset backup…" when the user keeps it.
  useEffect(() => {
    if (asking && !wasAsking.current) keep.current?.focus();
    if (!asking && wasAsking.current && !busy) ask.current?.focus();
    wasAsking.current = asking;
  }, [asking, busy]);

  if (!asking) {
    return (
      <div className="backup-reset">
        {lostKey ? <p className="hint">Lost the recovery key? Resetting makes a new backup; what only the old one holds stays unreadable here.</p> : null}
        <div className="section-buttons">
          <button ref={ask} type="button" className="danger-outline" onClick={() => askResetBackup(hub, accountId, true)}>
            Reset backup…
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby={`${id}-ask`}>
      <p id={`${id}-ask`} className="confirm-question">
        {RESET_WARNING}
      </p>
      {error !== undefined ? (
        <p className="field-error" role="alert">
          Could not reset the backup: {error}
        </p>
      ) : null}
      <div className="section-buttons">
        <button ref={keep} type="button" disabled={busy} onClick={() => askResetBackup(hub, accountId, false)}>
          Keep backup
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() =>
            void resetBackup(hub, accountId).then((r) => {
              if (r.ok) onNewKey(r.recoveryKey);
            })
          }
        >
          {busy ? 'Resetting…' : 'Delete backup and make a new one'}
        </button>
      </div>
    </div>
  );
}
