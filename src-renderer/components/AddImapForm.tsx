/**
 * "IMAP mail" inside the Add account dialog: the hub logs in with it before the account is saved.
 * Providers this Groundswell has an OAuth2 client for (Google, Microsoft 365, …) offer "Sign in
 * with …" instead: the address is enough, the server comes from the provider's entry.
 */
import { useEffect, useState } from 'react';
import type { BrowserSignInOption, ImapAccountInput } from '../../src-shared/api.ts';
import { checkImapForm, emptyImapForm, formFieldOf, type ImapFormField, type ImapFormValues } from '../forms/imapForm.ts';
import { checkSmtpForm, emptySmtpForm, SMTP_FORM_FIELDS, type SmtpFormField, type SmtpFormValues } from '../forms/smtpForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { BrowserSignInButtons, useBrowserSignIn } from './BrowserSignIn.tsx';
import { Field } from './FormField.tsx';
import { ImapServerFields, ImapSyncFields } from './ImapFields.tsx';
import { SmtpFields } from './SmtpFields.tsx';
import { useAccountForm } from './useAccountForm.ts';

const ADVANCED_FIELDS: readonly ImapFormField[] = ['syncWindowDays', 'syncMaxMessages'];

type Values = ImapFormValues & SmtpFormValues;
type FormField = ImapFormField | SmtpFormField;

/** The IMAP checks and the sending ones together, each naming its own fields. */
function check(values: Values): { ok: true; input: ImapAccountInput } | { ok: false; errors: Partial<Record<FormField, string>> } {
  const imap = checkImapForm(values);
  const errors: Partial<Record<FormField, string>> = imap.ok ? {} : { ...imap.errors };
  const smtp = checkSmtpForm(values, errors);
  if (!imap.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { ...imap.input, ...smtp } };
}

function fieldOf(field: string | undefined): FormField | undefined {
  return formFieldOf(field) ?? SMTP_FORM_FIELDS.find((f) => f === field);
}

export function AddImapForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const form = useAccountForm<Values, FormField, ImapAccountInput>({
    empty: () => ({ ...emptyImapForm(), ...emptySmtpForm() }),
    check,
    submit: (input) => addAccount(hub, { kind: 'imap', input, secrets: [input.password, ...(input.smtpPassword ? [input.smtpPassword] : [])] }),
    placeError: (error) => ({ field: fieldOf(error.field), message: error.message }),
    revealErrors: (found) => {
      if (ADVANCED_FIELDS.some((f) => found[f] !== undefined)) setAdvancedOpen(true);
    },
    busy,
    setBusy,
  });
  const { values, errors, set } = form;
  const oauth = useBrowserSignIn(hub);
  const [providers, setProviders] = useState<BrowserSignInOption[]>([]);
  useEffect(() => {
    void hub.client.call('signIn.options', { kind: 'imap', input: {} }).then((result) => setProviders(result.ok ? result.value.browser : []));
  }, [hub]);

  const signInWithProvider = async (provider: BrowserSignInOption): Promise<void> => {
    const user = values.user.trim();
    if (user === '') {
      form.setErrors(() => ({ user: `Enter your email address first: it is the account ${provider.name} signs you in to.` }));
      requestAnimationFrame(() => form.form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    // The sending settings go along with the sign-in (the access token is the SMTP login too).
    const smtpErrors: Partial<Record<FormField, string>> = {};
    const sending = checkSmtpForm(values, smtpErrors);
    if (Object.keys(smtpErrors).length > 0) {
      form.setErrors(() => smtpErrors);
      return;
    }
    setBusy(true);
    const signedIn = await oauth.run({ kind: 'imap', input: { oauthProvider: provider.id, user } });
    if (signedIn.ok) {
      const displayName = values.displayName.trim();
      const input = { user, oauthProvider: provider.id, signInId: signedIn.signInId, ...(displayName ? { displayName } : {}), ...sending };
      const added = await addAccount(hub, { kind: 'imap', input, secrets: [] });
      if (!added.ok) oauth.fail(added.error.message);
    }
    setBusy(false);
  };

  return (
    <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Add account" busyLabel="Signing in…">
      <Field field="displayName" label="Display name" errors={errors}>
        {(a) => (
          <input {...a} type="text" autoFocus autoComplete="off" placeholder="Work mail" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />
        )}
      </Field>
      <ImapServerFields form={form} />
      <BrowserSignInButtons options={providers} busy={busy} state={oauth.state} label="Sign in with your mail provider" onPick={(p) => void signInWithProvider(p)} onCancel={oauth.cancel} />
      <Field field="password" label="Password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <SmtpFields form={form} />
      <details className="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
        <summary>Advanced</summary>
        <ImapSyncFields form={form} />
      </details>
    </AccountFormFrame>
  );
}
