/**
 * The parts of an account's settings that change the account itself, each saved on its own with
 * `accounts.update`: its name (every kind), and for IMAP where and how it connects, which the hub
 * checks with the server before saving. A refusal stays beside the field it concerns, and nothing
 * is saved.
 */
import { useId, useState } from 'react';
import type { ImapAccountChanges } from '../../src-shared/api.ts';
import type { Account, AccountOf } from '../../src-shared/domain.ts';
import type { KindDescriptor } from '../../src-shared/api.ts';
import { changeableFields, checkKindChanges, kindFieldOf, kindValuesOf, type KindFormValues } from '../forms/kindForm.ts';
import { checkImapServerForm, imapServerValuesOf, placeServerError, type ImapServerField, type ImapServerValues } from '../forms/imapForm.ts';
import { updateAccount, type Outcome } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { Field } from './FormField.tsx';
import { KindFields } from './AddKindForm.tsx';
import { ImapServerFields, ImapSyncFields } from './ImapFields.tsx';
import { useAccountForm } from './useAccountForm.ts';

const NOTHING_CHANGED: Outcome = { ok: false, error: { code: 'invalid-input', message: 'Nothing has changed yet: edit a field, then save.' } };

export function NameSection({ account }: { account: Account }) {
  const hub = useHub();
  const [busy, setBusy] = useState(false);
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<{ displayName: string }, 'displayName', { displayName: string }>({
    empty: () => ({ displayName: account.displayName }),
    check: ({ displayName }) =>
      displayName.trim() === '' ? { ok: false, errors: { displayName: 'Enter a name for this account.' } } : { ok: true, input: { displayName: displayName.trim() } },
    // The same name again has nothing to save.
    submit: (changes) => (changes.displayName === account.displayName ? Promise.resolve({ ok: true as const }) : updateAccount(hub, account.id, changes)),
    placeError: (error) => ({ field: error.field === 'displayName' ? 'displayName' : undefined, message: error.message }),
    busy,
    setBusy,
  });
  return (
    <div className="settings-section name-section">
      <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Rename" busyLabel="Renaming…" place="section">
        <Field field="displayName" label="Name" errors={errors} hint="How the account is shown in the sidebar and in notifications.">
          {(a) => <input {...a} type="text" autoComplete="off" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />}
        </Field>
      </AccountFormFrame>
    </div>
  );
}

export function ImapServerSection({ account }: { account: AccountOf<'imap'> }) {
  const hub = useHub();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const form = useAccountForm<ImapServerValues, ImapServerField, ImapAccountChanges>({
    empty: () => imapServerValuesOf(account.settings),
    check: (values) => checkImapServerForm(values, account.settings),
    submit: (changes) => (Object.keys(changes).length === 0 ? Promise.resolve(NOTHING_CHANGED) : updateAccount(hub, account.id, changes)),
    placeError: placeServerError,
    busy,
    setBusy,
  });
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Server</h3>
      <p className="hint">A change of server, port, security or user name is tried with the server before it is saved.</p>
      <AccountFormFrame
        form={form.form}
        onSubmit={form.onSubmit}
        formError={form.formError}
        busy={busy}
        submitLabel="Save server settings"
        busyLabel="Checking with the server…"
        place="section"
      >
        <ImapServerFields form={form} />
        <ImapSyncFields form={form} />
      </AccountFormFrame>
    </section>
  );
}

/** A plug-in kind's changeable fields, drawn from its descriptor like its Add account form. */
export function KindSettingsSection({ account, descriptor }: { account: Account; descriptor: KindDescriptor }) {
  const hub = useHub();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const fields = changeableFields(descriptor.fields);
  const [shown] = useState(() => kindValuesOf(fields, account.settings));
  const form = useAccountForm<KindFormValues, string, Record<string, unknown>>({
    empty: () => shown,
    check: (values) => checkKindChanges(fields, values, shown),
    submit: (changes) => (Object.keys(changes).length === 0 ? Promise.resolve(NOTHING_CHANGED) : updateAccount(hub, account.id, changes)),
    placeError: (error) => ({ field: kindFieldOf(fields, error.field), message: error.message }),
    busy,
    setBusy,
  });
  if (fields.length === 0) return null;
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{descriptor.label}</h3>
      <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Save settings" busyLabel="Saving…" place="section">
        <KindFields fields={fields} form={form} />
      </AccountFormFrame>
    </section>
  );
}
