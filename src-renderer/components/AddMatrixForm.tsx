/**
 * "Matrix chat" inside the Add account dialog: the user ID, the password, and the homeserver only
 * when it cannot be found from the user ID. The hub signs in and keeps the access token, never the password.
 * A homeserver that offers single sign-on shows its identity providers, by name and icon, once
 * the user ID names it.
 */
import { useEffect, useState } from 'react';
import type { MatrixAccountInput, SignInOptions } from '../../src-shared/api.ts';
import { checkMatrixForm, checkMatrixTarget, emptyMatrixForm, matrixFieldOf, type MatrixFormField, type MatrixFormValues } from '../forms/matrixForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { BrowserSignInButtons, useBrowserSignIn } from './BrowserSignIn.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';

export function AddMatrixForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const { form, values, errors, formError, set, setErrors, onSubmit } = useAccountForm<MatrixFormValues, MatrixFormField, MatrixAccountInput>({
    empty: emptyMatrixForm,
    // A homeserver that signs in only through single sign-on has no password to send.
    check: (v) =>
      options !== null && !options.password && options.browser.length > 0
        ? { ok: false, errors: { userId: 'This homeserver signs in only through single sign-on: choose one of its identity providers below.' } }
        : checkMatrixForm(v),
    submit: (input) => addAccount(hub, { kind: 'matrix', input, secrets: [input.password] }),
    placeError: (error) => ({ field: matrixFieldOf(error.field), message: error.message }),
    busy,
    setBusy,
  });
  const sso = useBrowserSignIn(hub);
  const [asked, setAsked] = useState('');

  // How the server signs in is asked once the user ID (or homeserver) names a server, not at every key.
  const target = checkMatrixTarget(values);
  const key = target.ok ? `${target.userId}|${target.homeserverUrl ?? ''}` : '';
  useEffect(() => {
    if (!target.ok || key === asked) return;
    const timer = setTimeout(() => {
      setAsked(key);
      void hub.client.call('signIn.options', { kind: 'matrix', input: { userId: target.userId, ...(target.homeserverUrl ? { homeserverUrl: target.homeserverUrl } : {}) } }).then((result) => {
        setOptions(result.ok ? result.value : null);
      });
    }, 400);
    return () => clearTimeout(timer);
  });

  const signInWithSso = async (identityProvider: string): Promise<void> => {
    const checked = checkMatrixTarget(values);
    if (!checked.ok) {
      setErrors(() => checked.errors);
      return;
    }
    setBusy(true);
    const place = { userId: checked.userId, ...(checked.homeserverUrl ? { homeserverUrl: checked.homeserverUrl } : {}) };
    const signedIn = await sso.run({ kind: 'matrix', input: { ...place, ...(identityProvider ? { identityProvider } : {}) } });
    if (signedIn.ok) {
      const added = await addAccount(hub, { kind: 'matrix', input: { ...place, sso: true, signInId: signedIn.signInId }, secrets: [] });
      if (!added.ok) sso.fail(added.error.message);
    }
    setBusy(false);
  };

  const passwordOffered = options === null || options.password;
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
      {options !== null && target.ok && key === asked ? (
        <BrowserSignInButtons options={options.browser} busy={busy} state={sso.state} label="Single sign-on" onPick={(o) => void signInWithSso(o.id)} onCancel={sso.cancel} />
      ) : null}
      {passwordOffered ? (
        <Field field="password" label="Password" errors={errors} hint="Used once to sign in; Groundswell keeps only the access token, in the system keychain.">
          {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
        </Field>
      ) : null}
    </AccountFormFrame>
  );
}
