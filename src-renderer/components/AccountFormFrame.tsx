/**
 * The frame every account form shares: the form element, the error that belongs to no field above
 * the fields, and the submit button, which says what is happening while busy. In the Add account
 * dialog Cancel sits beside it; a section of an account's settings has only its own button.
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
  /** 'section': inside Account settings, which has its own Close. */
  place?: 'add-dialog' | 'section';
  children: ReactNode;
}) {
  const hub = useHub();
  const { form, onSubmit, formError, busy, place = 'add-dialog' } = props;
  return (
    <form ref={form} className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={busy ? 'true' : undefined}>
      {formError !== null ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      {props.children}
      {place === 'add-dialog' ? (
        <div className="dialog-buttons">
          <button type="button" onClick={() => closeAddAccount(hub)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? props.busyLabel : props.submitLabel}
          </button>
        </div>
      ) : (
        <div className="section-buttons">
          <button type="submit" disabled={busy}>
            {busy ? props.busyLabel : props.submitLabel}
          </button>
        </div>
      )}
    </form>
  );
}
