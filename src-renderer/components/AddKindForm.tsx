/**
 * The Add account form of a kind the dialog has no screen of its own for, drawn from the fields the
 * hub describes for it. Submitted like every other kind, with `accounts.add`.
 */
import type { KindDescriptor, KindField } from '../../src-shared/api.ts';
import { checkKindForm, emptyKindForm, kindFieldOf, type KindFormValues } from '../forms/kindForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';

type Input = { input: Record<string, unknown>; secrets: string[] };

export function AddKindForm({ descriptor, busy, setBusy }: { descriptor: KindDescriptor; busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const { fields } = descriptor;
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<KindFormValues, string, Input>({
    empty: () => emptyKindForm(fields),
    check: (shown) => {
      const checked = checkKindForm(fields, shown);
      return checked.ok ? { ok: true, input: { input: checked.input, secrets: checked.secrets } } : checked;
    },
    submit: ({ input, secrets }) => addAccount(hub, { kind: descriptor.kind, input, secrets }),
    placeError: (error) => ({ field: kindFieldOf(fields, error.field), message: error.message }),
    busy,
    setBusy,
  });

  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Add account" busyLabel="Adding…">
      <KindFields fields={fields} form={{ values, errors, set }} autoFocus />
    </AccountFormFrame>
  );
}

/** One input per field the kind describes, each with its label, hint and error. */
export function KindFields(props: {
  fields: readonly KindField[];
  form: { values: KindFormValues; errors: Partial<Record<string, string>>; set(field: string, value: string): void };
  autoFocus?: boolean;
}) {
  const { fields, form, autoFocus = false } = props;
  return (
    <>
      {fields.map((field, i) => {
        const hint = hintOf(field);
        return (
          <Field key={field.name} field={field.name} label={field.label} errors={form.errors} {...(hint === undefined ? {} : { hint })}>
            {(a) => <KindInput field={field} a11y={a} first={autoFocus && i === 0} value={form.values[field.name] ?? ''} onChange={(v) => form.set(field.name, v)} />}
          </Field>
        );
      })}
    </>
  );
}

function hintOf(field: KindField): string | undefined {
  if (field.type === 'list') return [field.help, 'One per line, or separated by commas.'].filter(Boolean).join(' ');
  return field.help;
}

function KindInput(props: {
  field: KindField;
  a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
  first: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  const { field, a11y, first, value, onChange } = props;
  const common = { ...a11y, autoFocus: first, 'aria-required': field.required, value };
  switch (field.type) {
    case 'choice':
      return (
        <select {...common} onChange={(e) => onChange(e.target.value)}>
          {field.required ? null : <option value="">None</option>}
          {(field.choices ?? []).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
    case 'list':
      return <textarea {...common} rows={3} spellCheck={false} placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} />;
    case 'secret':
      return <input {...common} type="password" autoComplete="off" placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} />;
    case 'number':
      return <input {...common} type="text" inputMode="decimal" placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} />;
    case 'text':
      return <input {...common} type="text" autoComplete="off" spellCheck={false} placeholder={field.placeholder} onChange={(e) => onChange(e.target.value)} />;
  }
}
