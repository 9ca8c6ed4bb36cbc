/**
 * What every account form (Add account, an account's settings) does the same way: keep the values
 * and the per-field errors, check the values before asking the hub, put the hub's refusal beside the
 * field it names (or above the form), and move focus to the first field in error. Each form says only what differs: its checks,
 * the call, and where an error from the hub belongs.
 */
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import type { AppError } from '../../src-shared/result.ts';

type Errors<F extends string> = Partial<Record<F, string>>;
type Checked<F extends string, I> = { ok: true; input: I } | { ok: false; errors: Errors<F> };

export interface AccountFormOptions<V, F extends string, I> {
  /** The blank form, made fresh each time the form opens. */
  empty: () => V;
  check(values: V): Checked<F, I>;
  submit(input: I): Promise<{ ok: true } | { ok: false; error: AppError }>;
  /** Where the hub's refusal goes: a field of this form, or (field undefined) the top of it. */
  placeError(error: AppError, input: I, values: V): { field: F | undefined; message: string };
  /** Before focus moves to a field in error: e.g. open the section that holds it. */
  revealErrors?(errors: Errors<F>): void;
  busy: boolean;
  setBusy(busy: boolean): void;
}

export interface AccountForm<V, F extends string> {
  form: RefObject<HTMLFormElement | null>;
  values: V;
  setValues(update: (values: V) => V): void;
  errors: Errors<F>;
  setErrors(update: (errors: Errors<F>) => Errors<F>): void;
  formError: string | null;
  /** Changes one field; its error goes away as soon as the user works on it. */
  set(field: F & keyof V, value: V[F & keyof V]): void;
  onSubmit(event: FormEvent): Promise<void>;
}

export function useAccountForm<V, F extends string, I>(options: AccountFormOptions<V, F, I>): AccountForm<V, F> {
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<V>(options.empty);
  const [errors, setErrors] = useState<Errors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const showErrors = (found: Errors<F>): void => {
    setErrors(found);
    options.revealErrors?.(found);
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  return {
    form,
    values,
    setValues,
    errors,
    setErrors,
    formError,
    set(field, value) {
      setValues((v) => ({ ...v, [field]: value }));
      if (errors[field] !== undefined) setErrors((e) => ({ ...e, [field]: undefined }));
    },
    async onSubmit(event) {
      event.preventDefault();
      if (options.busy) return;
      setFormError(null);
      const check = options.check(values);
      if (!check.ok) {
        showErrors(check.errors);
        return;
      }
      setErrors({});
      options.setBusy(true);
      const result = await options.submit(check.input);
      // The dialog may have closed meanwhile; a closed form has nothing left to show.
      if (!mounted.current) return;
      options.setBusy(false);
      if (result.ok) return;
      const placed = options.placeError(result.error, check.input, values);
      if (placed.field !== undefined) showErrors({ [placed.field]: placed.message } as Errors<F>);
      else setFormError(placed.message);
    },
  };
}
