/** "IMAP mail" inside the Add account dialog: the hub logs in with it before the account is saved. */
import { useState } from 'react';
import type { ImapAccountInput } from '../../src-shared/api.ts';
import { checkImapForm, emptyImapForm, formFieldOf, type ImapFormField, type ImapFormValues } from '../forms/imapForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { Field } from './FormField.tsx';
import { ImapServerFields, ImapSyncFields } from './ImapFields.tsx';
import { useAccountForm } from './useAccountForm.ts';

const ADVANCED_FIELDS: readonly ImapFormField[] = ['syncWindowDays', 'syncMaxMessages'];

export function AddImapForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const form = useAccountForm<ImapFormValues, ImapFormField, ImapAccountInput>({
    empty: emptyImapForm,
    check: checkImapForm,
    submit: (input) => addAccount(hub, { kind: 'imap', input, secrets: [input.password] }),
    placeError: (error) => ({ field: formFieldOf(error.field), message: error.message }),
    revealErrors: (found) => {
      if (ADVANCED_FIELDS.some((f) => found[f] !== undefined)) setAdvancedOpen(true);
    },
    busy,
    setBusy,
  });
  const { values, errors, set } = form;

  return (
    <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Add account" busyLabel="Signing in…">
      <Field field="displayName" label="Display name" errors={errors}>
        {(a) => (
          <input {...a} type="text" autoFocus autoComplete="off" placeholder="Work mail" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />
        )}
      </Field>
      <ImapServerFields form={form} />
      <Field field="password" label="Password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <details className="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary>Advanced</summary>
        <ImapSyncFields form={form} />
      </details>
    </AccountFormFrame>
  );
}
