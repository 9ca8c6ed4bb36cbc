/**
 * The frame every "Add account" form shares: the form element, the error that belongs to no field
 * above the fields, and Cancel beside the submit button, which says what is happening while busy.
 */
import type { FormEvent, ReactNode, RefObject } from 'react';
import { closeAddAccount } from '../state/actions.ts';
import { useHub } from '../state/hooks.ts';

export function AccountFormFrame(props: {
  form: RefObject<HTMLFormElement | null>;
  onSubmit: (event: FormEvent) => Promise<void>;
  formError: string | null;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  children: ReactNode;
}) {
  const hub = useHub();
  const { form, onSubmit, formError, busy } = props;
  return (
    <form ref={form} className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={busy ? 'true' : undefined}>
      {formError !== null ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      {props.children}
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeAddAccount(hub)}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? props.busyLabel : props.submitLabel}
        </button>
      </div>
    </form>
  );
}
