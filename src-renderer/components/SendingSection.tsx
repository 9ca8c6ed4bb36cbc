/**
 * An IMAP account's Sending settings: your address and the outgoing server, saved on their own with
 * `accounts.update` once the hub has probed the SMTP login; a refusal stays beside its field.
 */
import { useId, useState } from 'react';
import type { ImapAccountChanges } from '../../src-shared/api.ts';
import type { AccountOf } from '../../src-shared/domain.ts';
import { checkSmtpChanges, SMTP_FORM_FIELDS, smtpFormValuesOf, type SmtpFormField, type SmtpFormValues } from '../forms/smtpForm.ts';
import { updateAccount, type Outcome } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { SmtpFields } from './SmtpFields.tsx';
import { useAccountForm } from './useAccountForm.ts';

const NOTHING_CHANGED: Outcome = { ok: false, error: { code: 'invalid-input', message: 'Nothing has changed yet: edit a field, then save.' } };

export function SendingSection({ account }: { account: AccountOf<'imap'> }) {
  const hub = useHub();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const form = useAccountForm<SmtpFormValues & { host: string }, SmtpFormField, ImapAccountChanges>({
    empty: () => ({ ...smtpFormValuesOf(account.settings), host: account.settings.host }),
    check: (values) => checkSmtpChanges(values, account.settings),
    submit: (changes) => (Object.keys(changes).length === 0 ? Promise.resolve(NOTHING_CHANGED) : updateAccount(hub, account.id, changes)),
    placeError: (error) => ({ field: SMTP_FORM_FIELDS.find((f) => f === error.field) ?? (error.code === 'auth-failed' ? 'smtpPassword' : undefined), message: error.message }),
    busy,
    setBusy,
  });
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Sending</h3>
      <p className="hint">A change of the outgoing server or its login is tried with the server before it is saved.</p>
      <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Save sending settings" busyLabel="Checking with the server…" place="section">
        <SmtpFields form={form} framed={false} />
      </AccountFormFrame>
    </section>
  );
}
