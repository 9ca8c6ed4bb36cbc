import { useId, useState } from 'react';
import type { ImapAccountInput } from '../../src-shared/api.ts';
import type { ImapSecurity } from '../../src-shared/domain.ts';
import {
  SECURITY_LABELS,
  checkImapForm,
  emptyImapForm,
  formFieldOf,
  withSecurity,
  type ImapFormField,
  type ImapFormValues,
} from '../forms/imapForm.ts';
import { withoutSecret } from '../format/secret.ts';
import { addImapAccount, closeAddAccount } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { AddFeedForm } from './AddFeedForm.tsx';
import { AddMatrixForm } from './AddMatrixForm.tsx';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';
import { useModalDialog } from './useModalDialog.ts';

/** Account types the dialog offers; a new connector adds its entry and its form here. */
const ACCOUNT_TYPES = [
  { kind: 'imap', label: 'IMAP mail', hint: 'Any mail provider that offers IMAP' },
  { kind: 'matrix', label: 'Matrix chat', hint: 'Rooms and direct messages on any Matrix homeserver' },
  { kind: 'feed', label: 'Feed', hint: 'RSS, Atom or JSON Feed: status pages, CI, announcements' },
] as const;
type AccountTypeKind = (typeof ACCOUNT_TYPES)[number]['kind'];

const ADVANCED_FIELDS: readonly ImapFormField[] = ['syncWindowDays', 'syncMaxMessages'];

export function AddAccountDialog() {
  const open = useApp((s) => s.addAccountOpen);
  return open ? <AddAccountModal /> : null;
}

function AddAccountModal() {
  const hub = useHub();
  const dialog = useModalDialog();
  const [kind, setKind] = useState<AccountTypeKind>('imap');
  const [busy, setBusy] = useState(false);
  const hintId = useId();

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-label="Add account"
      onCancel={(e) => {
        // The store decides whether the dialog is open; the browser must not close it behind React's back.
        e.preventDefault();
        closeAddAccount(hub);
      }}
    >
      <h2 className="dialog-title">Add account</h2>
      <fieldset className="account-types">
        <legend>Account type</legend>
        {ACCOUNT_TYPES.map((t) => (
          <label key={t.kind} className="account-type">
            {/* Named by the type alone; the hint is its description, so "Matrix chat" finds the radio exactly. */}
            <input
              type="radio"
              name="account-type"
              value={t.kind}
              aria-label={t.label}
              aria-describedby={`${hintId}-${t.kind}`}
              checked={kind === t.kind}
              onChange={() => setKind(t.kind)}
            />
            <span>
              {t.label}
              <small id={`${hintId}-${t.kind}`}>{t.hint}</small>
            </span>
          </label>
        ))}
      </fieldset>
      {kind === 'imap' ? <ImapForm busy={busy} setBusy={setBusy} /> : null}
      {kind === 'matrix' ? <AddMatrixForm busy={busy} setBusy={setBusy} /> : null}
      {kind === 'feed' ? <AddFeedForm busy={busy} setBusy={setBusy} /> : null}
    </dialog>
  );
}

function ImapForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const [portEdited, setPortEdited] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const { form, values, setValues, errors, setErrors, formError, set, onSubmit } = useAccountForm<ImapFormValues, ImapFormField, ImapAccountInput>({
    empty: emptyImapForm,
    check: checkImapForm,
    submit: (input) => addImapAccount(hub, input),
    placeError: (error, input) => ({ field: formFieldOf(error.field), message: withoutSecret(error.message, input.password) }),
    revealErrors: (found) => {
      if (ADVANCED_FIELDS.some((f) => found[f] !== undefined)) setAdvancedOpen(true);
    },
    busy,
    setBusy,
  });

  const onSecurity = (security: ImapSecurity): void => {
    setValues((v) => withSecurity(v, security, portEdited));
    setErrors((e) => ({ ...e, security: undefined, port: portEdited ? e.port : undefined }));
  };

  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Add account" busyLabel="Signing in…">
      <Field field="displayName" label="Display name" errors={errors}>
        {(a) => (
          <input {...a} type="text" autoFocus autoComplete="off" placeholder="Work mail" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />
        )}
      </Field>
      <div className="field-row">
        <Field field="host" label="Server" errors={errors}>
          {(a) => (
            <input {...a} type="text" autoComplete="off" spellCheck={false} autoCapitalize="off" placeholder="imap.example.com" value={values.host} onChange={(e) => set('host', e.target.value)} />
          )}
        </Field>
        <Field field="port" label="Port" errors={errors}>
          {(a) => (
            <input
              {...a}
              type="text"
              inputMode="numeric"
              className="port"
              value={values.port}
              onChange={(e) => {
                setPortEdited(true);
                set('port', e.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <Field field="security" label="Security" errors={errors} hint="None sends your password unencrypted and is only allowed for this computer (localhost).">
        {(a) => (
          <select {...a} value={values.security} onChange={(e) => onSecurity(e.target.value as ImapSecurity)}>
            {(Object.keys(SECURITY_LABELS) as ImapSecurity[]).map((s) => (
              <option key={s} value={s}>
                {SECURITY_LABELS[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field field="user" label="User name" errors={errors}>
        {(a) => (
          <input {...a} type="text" autoComplete="username" spellCheck={false} autoCapitalize="off" placeholder="you@example.com" value={values.user} onChange={(e) => set('user', e.target.value)} />
        )}
      </Field>
      <Field field="password" label="Password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <details className="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary>Advanced</summary>
        <div className="field-row">
          <Field field="syncWindowDays" label="Sync window (days)" errors={errors} hint="Only mail from this many days back is fetched at first.">
            {(a) => <input {...a} type="text" inputMode="numeric" value={values.syncWindowDays} onChange={(e) => set('syncWindowDays', e.target.value)} />}
          </Field>
          <Field field="syncMaxMessages" label="Maximum messages" errors={errors} hint="At most this many, newest first.">
            {(a) => <input {...a} type="text" inputMode="numeric" value={values.syncMaxMessages} onChange={(e) => set('syncMaxMessages', e.target.value)} />}
          </Field>
        </div>
      </details>
    </AccountFormFrame>
  );
}
