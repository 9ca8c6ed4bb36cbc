/** One labelled form input with its hint and its error, wired for screen readers. */
import { useId, type ReactNode } from 'react';

interface FieldProps {
  field: string;
  label: string;
  errors: Partial<Record<string, string>>;
  hint?: string;
  /** Announce the error as it appears (an action's answer, rather than a check as the user types). */
  alert?: boolean;
  children: (a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

export function Field({ field, label, errors, hint, alert = false, children }: FieldProps) {
  const id = `${useId()}-${field}`;
  const error = errors[field];
  const described = [hint !== undefined ? `${id}-hint` : '', error !== undefined ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error !== undefined ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': described === '' ? undefined : described })}
      {hint !== undefined ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error !== undefined ? (
        <p id={`${id}-error`} className="field-error" {...(alert ? { role: 'alert' } : {})}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
