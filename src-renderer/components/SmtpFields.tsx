/**
 * The sending part of the Add account form for IMAP: your address and the outgoing server, with
 * smtp./mail. of the IMAP host offered as suggestions and the port following the security choice.
 */
import { useId, useState, type ReactNode } from 'react';
import type { SmtpSecurity } from '../../src-shared/domain.ts';
import { SMTP_SECURITY_LABELS, defaultSmtpPort, suggestSmtpHosts, type SmtpFormField, type SmtpFormValues } from '../forms/smtpForm.ts';
import { Field } from './FormField.tsx';

interface SmtpFieldsForm {
  values: SmtpFormValues & { host: string };
  errors: Partial<Record<string, string>>;
  set(field: SmtpFormField, value: string): void;
}

/** `framed`: a fieldset of its own in the Add account form; the account settings give it a section heading instead. */
export function SmtpFields({ form, framed = true }: { form: SmtpFieldsForm; framed?: boolean }) {
  const { values, errors, set } = form;
  const [portEdited, setPortEdited] = useState(false);
  const list = useId();
  const suggestions = suggestSmtpHosts(values.host);
  return (
    <Frame framed={framed}>
      <Field field="address" label="Your address" errors={errors} hint="The From of mail you send; the user name is used when it is an address.">
        {(a) => <input {...a} type="email" autoComplete="email" spellCheck={false} placeholder="you@example.com" value={values.address} onChange={(e) => set('address', e.target.value)} />}
      </Field>
      <div className="field-row">
        <Field field="smtpHost" label="Outgoing server (SMTP)" errors={errors} hint="Leave it empty to only receive mail with this account.">
          {(a) => (
            <input
              {...a}
              type="text"
              list={suggestions.length > 0 ? list : undefined}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              placeholder={suggestions[0] ?? 'smtp.example.com'}
              value={values.smtpHost}
              onChange={(e) => set('smtpHost', e.target.value)}
            />
          )}
        </Field>
        <Field field="smtpPort" label="SMTP port" errors={errors}>
          {(a) => (
            <input
              {...a}
              type="text"
              inputMode="numeric"
              className="port"
              value={values.smtpPort}
              onChange={(e) => {
                setPortEdited(true);
                set('smtpPort', e.target.value);
              }}
            />
          )}
        </Field>
      </div>
      {suggestions.length > 0 ? (
        <datalist id={list}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      ) : null}
      <Field field="smtpSecurity" label="SMTP security" errors={errors}>
        {(a) => (
          <select
            {...a}
            value={values.smtpSecurity}
            onChange={(e) => {
              const security = e.target.value as SmtpSecurity;
              set('smtpSecurity', security);
              if (!portEdited) set('smtpPort', String(defaultSmtpPort(security)));
            }}
          >
            {(Object.keys(SMTP_SECURITY_LABELS) as SmtpSecurity[]).map((s) => (
              <option key={s} value={s}>
                {SMTP_SECURITY_LABELS[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="field-row">
        <Field field="smtpUser" label="SMTP user name" errors={errors} hint="Only when it is not the IMAP one.">
          {(a) => <input {...a} type="text" autoComplete="off" spellCheck={false} autoCapitalize="off" value={values.smtpUser} onChange={(e) => set('smtpUser', e.target.value)} />}
        </Field>
        <Field field="smtpPassword" label="SMTP password" errors={errors} hint="Only when it is not the IMAP one.">
          {(a) => <input {...a} type="password" autoComplete="new-password" value={values.smtpPassword} onChange={(e) => set('smtpPassword', e.target.value)} />}
        </Field>
      </div>
    </Frame>
  );
}

function Frame({ framed, children }: { framed: boolean; children: ReactNode }) {
  if (!framed) return <div className="smtp-fields-plain">{children}</div>;
  return (
    <fieldset className="smtp-fields">
      <legend>Sending mail</legend>
      {children}
    </fieldset>
  );
}
