/**
 * The IMAP fields the Add account form and an account's Server section share: where and how to
 * connect, and how much mail to fetch. The port follows the security choice until the user types
 * one of their own.
 */
import { useState } from 'react';
import type { ImapSecurity } from '../../src-shared/domain.ts';
import { SECURITY_LABELS, defaultPort, withSecurity, type ImapFormErrors, type ImapServerField, type ImapServerValues } from '../forms/imapForm.ts';
import { Field } from './FormField.tsx';

/** What the fields need of the form around them (useAccountForm's, whichever form that is). */
interface ImapFieldsForm {
  values: ImapServerValues;
  errors: ImapFormErrors;
  set(field: ImapServerField, value: string): void;
}

/**
 * A new security choice moves the port to its default unless the port is one of the user's own:
 * typed here, or an account's saved port that is not the default of its security.
 */
function useSecurityChoice(form: ImapFieldsForm) {
  const [portEdited, setPortEdited] = useState(() => form.values.port !== String(defaultPort(form.values.security)));
  return {
    onPort(port: string): void {
      setPortEdited(true);
      form.set('port', port);
    },
    onSecurity(security: ImapSecurity): void {
      const next = withSecurity(form.values, security, portEdited);
      form.set('security', next.security);
      if (next.port !== form.values.port) form.set('port', next.port);
    },
  };
}

export function ImapServerFields({ form }: { form: ImapFieldsForm }) {
  const { values, errors, set } = form;
  const choice = useSecurityChoice(form);
  return (
    <>
      <div className="field-row">
        <Field field="host" label="Server" errors={errors}>
          {(a) => (
            <input {...a} type="text" autoComplete="off" spellCheck={false} autoCapitalize="off" placeholder="imap.example.com" value={values.host} onChange={(e) => set('host', e.target.value)} />
          )}
        </Field>
        <Field field="port" label="Port" errors={errors}>
          {(a) => <input {...a} type="text" inputMode="numeric" className="port" value={values.port} onChange={(e) => choice.onPort(e.target.value)} />}
        </Field>
      </div>
      <Field field="security" label="Security" errors={errors} hint="None sends your password unencrypted and is only allowed for this computer (localhost).">
        {(a) => (
          <select {...a} value={values.security} onChange={(e) => choice.onSecurity(e.target.value as ImapSecurity)}>
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
    </>
  );
}

export function ImapSyncFields({ form }: { form: ImapFieldsForm }) {
  const { values, errors, set } = form;
  return (
    <div className="field-row">
      <Field field="syncWindowDays" label="Sync window (days)" errors={errors} hint="Only mail from this many days back is fetched at first.">
        {(a) => <input {...a} type="text" inputMode="numeric" value={values.syncWindowDays} onChange={(e) => set('syncWindowDays', e.target.value)} />}
      </Field>
      <Field field="syncMaxMessages" label="Maximum messages" errors={errors} hint="At most this many, newest first.">
        {(a) => <input {...a} type="text" inputMode="numeric" value={values.syncMaxMessages} onChange={(e) => set('syncMaxMessages', e.target.value)} />}
      </Field>
    </div>
  );
}
