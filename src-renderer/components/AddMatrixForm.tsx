/**
 * "Matrix chat" inside the Add account dialog: the user ID, the password, and the homeserver only
 * when it cannot be found from the user ID. The hub signs in and keeps the access token, never the password.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { checkMatrixForm, emptyMatrixForm, matrixFieldOf, type MatrixFormErrors, type MatrixFormField, type MatrixFormValues } from '../forms/matrixForm.ts';
import { closeAddAccount } from '../state/actions.ts';
import { addMatrixAccount } from '../state/chatActions.ts';
import { useHub } from '../state/hooks.ts';
import { Field } from './FormField.tsx';

export function AddMatrixForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<MatrixFormValues>(emptyMatrixForm);
  const [errors, setErrors] = useState<MatrixFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const set = (field: MatrixFormField, value: string): void => {
    setValues((v) => ({ ...v, [field]: value }));
    // An error goes away as soon as the user works on its field.
    if (errors[field] !== undefined) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const showErrors = (found: MatrixFormErrors): void => {
    setErrors(found);
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const check = checkMatrixForm(values);
    if (!check.ok) {
      showErrors(check.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    const result = await addMatrixAccount(hub, check.input);
    if (!mounted.current) return;
    setBusy(false);
    if (result.ok) return;
    const field = matrixFieldOf(result.error.field);
    if (field !== undefined) showErrors({ [field]: result.error.message });
    else setFormError(result.error.message);
  };

  return (
    <form ref={form} className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={busy ? 'true' : undefined}>
      {formError !== null ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <Field field="userId" label="User ID" errors={errors}>
        {(a) => (
          <input {...a} type="text" autoFocus autoComplete="username" spellCheck={false} autoCapitalize="off" placeholder="@alice:example.org" value={values.userId} onChange={(e) => set('userId', e.target.value)} />
        )}
      </Field>
      <Field field="homeserverUrl" label="Homeserver" errors={errors} hint="Found from the user ID when empty">
        {(a) => (
          <input {...a} type="url" autoComplete="url" spellCheck={false} autoCapitalize="off" placeholder="https://matrix.example.org" value={values.homeserverUrl} onChange={(e) => set('homeserverUrl', e.target.value)} />
        )}
      </Field>
      <Field field="password" label="Password" errors={errors} hint="Used once to sign in; Groundswell keeps only the access token, in the system keychain.">
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeAddAccount(hub)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
