/**
 * Mail from an email address, the fastest way in: the address and password, then what autoconfig
 * found and where, in an IMAP form the user may correct field by field, then Add account (which
 * logs in before anything is saved). Used in the Add account dialog and on the first-run screen.
 */
import { useEffect, useState } from 'react';
import type { ImapAccountInput, MailAutoconfig } from '../../src-shared/api.ts';
import { describeAutoconfigSource, describeMailServer } from '../../src-shared/mail-autoconfig-words.ts';
import { checkMailAddressForm, emptyMailAddressForm, imapFormFrom, smtpFormFrom, type MailAddressField, type MailAddressValues } from '../forms/mailAddressForm.ts';
import { checkImapForm, formFieldOf, type ImapFormField, type ImapFormValues } from '../forms/imapForm.ts';
import { checkSmtpForm, SMTP_FORM_FIELDS, type SmtpFormField, type SmtpFormValues } from '../forms/smtpForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { findMailSettings } from '../state/mailSetupActions.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { BrowserSignInButtons, useBrowserSignIn } from './BrowserSignIn.tsx';
import { Field } from './FormField.tsx';
import { ImapServerFields, ImapSyncFields } from './ImapFields.tsx';
import { SmtpFields } from './SmtpFields.tsx';
import { useAccountForm } from './useAccountForm.ts';

type Place = 'add-dialog' | 'section';
type ConfirmValues = ImapFormValues & SmtpFormValues;
type ConfirmField = ImapFormField | SmtpFormField;

/** The IMAP checks and the sending ones together, each naming its own fields; an empty SMTP server: receive only. */
function checkConfirm(values: ConfirmValues): { ok: true; input: ImapAccountInput } | { ok: false; errors: Partial<Record<ConfirmField, string>> } {
  const imap = checkImapForm(values);
  const errors: Partial<Record<ConfirmField, string>> = imap.ok ? {} : { ...imap.errors };
  const smtp = checkSmtpForm(values, errors);
  if (!imap.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { ...imap.input, ...smtp } };
}

const confirmFieldOf = (field: string | undefined): ConfirmField | undefined => formFieldOf(field) ?? SMTP_FORM_FIELDS.find((f) => f === field);

interface Props {
  busy: boolean;
  setBusy: (busy: boolean) => void;
  place?: Place;
  /** Focus the address field when shown (the dialog's first field, the first run's). */
  autoFocus?: boolean;
}

export function AddMailByAddress({ busy, setBusy, place = 'add-dialog', autoFocus = true }: Props) {
  const [found, setFound] = useState<{ settings: MailAutoconfig; password: string; email: string } | null>(null);
  if (found === null) {
    return <AddressStep busy={busy} setBusy={setBusy} place={place} autoFocus={autoFocus} onFound={(settings, password, email) => setFound({ settings, password, email })} />;
  }
  return <ConfirmStep key={found.settings.email} found={found.settings} password={found.password} busy={busy} setBusy={setBusy} place={place} onBack={() => setFound(null)} />;
}

function AddressStep({ busy, setBusy, place, autoFocus, onFound }: Required<Omit<Props, 'place'>> & { place: Place; onFound: (found: MailAutoconfig, password: string, email: string) => void }) {
  const hub = useHub();
  const form = useAccountForm<MailAddressValues, MailAddressField, { email: string; password: string }>({
    empty: emptyMailAddressForm,
    check: checkMailAddressForm,
    submit: async (input) => {
      const result = await findMailSettings(hub, input.email, input.password);
      if (!result.ok) return result;
      onFound(result.found, input.password, input.email);
      return { ok: true };
    },
    placeError: (error) => ({ field: error.field === 'email' || error.field === 'password' ? error.field : undefined, message: error.message }),
    busy,
    setBusy,
  });
  const { values, errors, set } = form;
  return (
    <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Find settings" busyLabel="Looking up the settings…" place={place}>
      <Field field="email" label="Email address" errors={errors} {...(place === 'add-dialog' ? { hint: 'The settings are looked up from its domain; you can check and correct them before anything is saved.' } : {})}>
        {(a) => (
          <input {...a} type="email" autoFocus={autoFocus} autoComplete="email" spellCheck={false} autoCapitalize="off" placeholder="you@example.com" value={values.email} onChange={(e) => set('email', e.target.value)} />
        )}
      </Field>
      <Field field="password" label="Password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
    </AccountFormFrame>
  );
}

function ConfirmStep({ found, password, busy, setBusy, place, onBack }: { found: MailAutoconfig; password: string; busy: boolean; setBusy: (busy: boolean) => void; place: Place; onBack: () => void }) {
  const hub = useHub();
  const form = useAccountForm<ConfirmValues, ConfirmField, ImapAccountInput>({
    empty: () => ({ ...imapFormFrom(found, password), ...smtpFormFrom(found) }),
    check: checkConfirm,
    submit: (input) => addAccount(hub, { kind: found.kind, input, secrets: [input.password, ...(input.smtpPassword ? [input.smtpPassword] : [])] }),
    placeError: (error) => ({ field: confirmFieldOf(error.field), message: error.message }),
    busy,
    setBusy,
  });
  const { values, errors, set } = form;
  const formElement = form.form;
  useEffect(() => {
    // Keyboard first: Enter again adds what was found; with nothing found, typing starts at the server.
    const target = found.found ? formElement.current?.querySelector<HTMLElement>('button[type="submit"]') : formElement.current?.querySelector<HTMLElement>('input[placeholder="imap.example.com"]');
    target?.focus();
  }, [found.found, formElement]);
  const imap = found.imap[0];
  const smtp = found.smtp[0];
  // The provider signs in with OAuth2: its page in the browser, found from the server (no provider to pick).
  const oauth = useBrowserSignIn(hub);
  const oauthOption = found.oauth2 !== undefined ? [{ id: 'found', name: found.providerName ?? 'your mail provider' }] : [];
  const signInWithProvider = async (): Promise<void> => {
    const checked = checkConfirm({ ...values, password: values.password === '' ? 'unused' : values.password });
    if (!checked.ok) {
      form.setErrors(() => checked.errors);
      return;
    }
    const { password: _unused, ...server } = checked.input;
    setBusy(true);
    // The sending settings go along with the sign-in (the access token is the SMTP login too).
    const signedIn = await oauth.run({ kind: found.kind, input: { host: server.host, user: server.user } });
    if (signedIn.ok) {
      const added = await addAccount(hub, { kind: found.kind, input: { ...server, signInId: signedIn.signInId }, secrets: [] });
      if (!added.ok) oauth.fail(added.error.message);
    }
    setBusy(false);
  };
  return (
    <AccountFormFrame form={form.form} onSubmit={form.onSubmit} formError={form.formError} busy={busy} submitLabel="Add account" busyLabel="Signing in…" place={place}>
      <section className={`autoconfig-found${found.found ? '' : ' not-found'}`} aria-label="Settings found" role="status">
        <p className="autoconfig-source">
          <strong>{describeAutoconfigSource(found)}</strong>
          {found.where !== undefined ? <span className="autoconfig-where">{found.where}</span> : null}
        </p>
        {imap !== undefined ? (
          <p className="autoconfig-server">
            Receiving (IMAP): {describeMailServer(imap)}
            {found.verified ? ' — logged in' : ''}
          </p>
        ) : (
          <p>Enter the IMAP server below; your provider's help pages name it.</p>
        )}
        {smtp !== undefined ? (
          <p className="autoconfig-server">Sending (SMTP): {describeMailServer(smtp)}</p>
        ) : found.found ? (
          <p className="autoconfig-server">Sending (SMTP): none found — this account will only receive mail unless you enter an outgoing server below.</p>
        ) : null}
        {found.warnings.length > 0 ? (
          <ul className="autoconfig-warnings">
            {found.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        ) : null}
        <details className="autoconfig-steps">
          <summary>What was looked up</summary>
          <ol>
            {found.steps.map((step) => (
              <li key={`${step.source}-${step.where}`}>
                <span className={`step-outcome ${step.outcome}`}>{step.outcome}</span> {step.where}
                {step.detail !== '' ? <small> — {step.detail}</small> : null}
              </li>
            ))}
          </ol>
        </details>
        <button type="button" className="link-button" onClick={onBack} disabled={busy}>
          Use another address
        </button>
      </section>
      <Field field="displayName" label="Display name" errors={errors}>
        {(a) => <input {...a} type="text" autoComplete="off" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />}
      </Field>
      <ImapServerFields form={form} />
      <BrowserSignInButtons options={oauthOption} busy={busy} state={oauth.state} label="Sign in with your mail provider" onPick={() => void signInWithProvider()} onCancel={oauth.cancel} />
      <Field field="password" label="Password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <SmtpFields form={form} />
      {values.smtpHost.trim() === '' ? (
        <p className="hint receive-only" role="note">
          Without an outgoing server this account only receives mail; you can add one later in its settings.
        </p>
      ) : null}
      <details className="advanced">
        <summary>Advanced</summary>
        <ImapSyncFields form={form} />
      </details>
    </AccountFormFrame>
  );
}
