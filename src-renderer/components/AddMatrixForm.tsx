/**
 * "Matrix chat" inside the Add account dialog: the user ID, the password, and the homeserver only
 * when it cannot be found from the user ID. The hub signs in and keeps the access token, never the password.
 */
import type { MatrixAccountInput } from '../../src-shared/api.ts';
import { checkMatrixForm, emptyMatrixForm, matrixFieldOf, type MatrixFormField, type MatrixFormValues } from '../forms/matrixForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';

export function AddMatrixForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<MatrixFormValues, MatrixFormField, MatrixAccountInput>({
    empty: emptyMatrixForm,
    check: checkMatrixForm,
    submit: (input) => addAccount(hub, { kind: 'matrix', input, secrets: [input.password] }),
    placeError: (error) => ({ field: matrixFieldOf(error.field), message: error.message }),
    busy,
    setBusy,
  });

  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Sign in" busyLabel="Signing in…">
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
    </AccountFormFrame>
  );
}
