/**
 * The form for an account kind that has no screen of its own, drawn from the fields the kind
 * describes (`kinds.list`). Values are kept as typed; the check turns them into the kind's input
 * object the way the CLI does with its flags. The kind checks again and names any field it refuses.
 */
import type { KindField } from '../../src-shared/api.ts';

export type KindFormValues = Record<string, string>;
export type KindFormErrors = Partial<Record<string, string>>;

export function emptyKindForm(fields: readonly KindField[]): KindFormValues {
  // A required choice starts on its first option, as a select shows it; an optional one on none.
  return Object.fromEntries(fields.map((f) => [f.name, f.type === 'choice' && f.required ? (f.choices?.[0] ?? '') : '']));
}

/** A list is typed one entry per line or comma-separated. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** "Enter the user name.", "Enter the API key.": a label is lower-cased for the sentence unless it starts with an acronym. */
function asObject(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}

function readField(field: KindField, raw: string): { value: unknown } | { error: string } | undefined {
  // A secret is sent exactly as typed: it may start or end with a space.
  const typed = field.type === 'secret' ? raw : raw.trim();
  if (typed === '') return field.required ? { error: `${field.type === 'choice' ? 'Choose' : 'Enter'} the ${asObject(field.label)}.` } : undefined;
  switch (field.type) {
    case 'text':
    case 'secret':
      return { value: typed };
    case 'number': {
      const n = Number(typed);
      return Number.isFinite(n) ? { value: n } : { error: `${field.label} must be a number.` };
    }
    case 'choice':
      return field.choices === undefined || field.choices.includes(typed) ? { value: typed } : { error: `Choose one of: ${field.choices.join(', ')}.` };
    case 'list': {
      const entries = splitList(typed);
      return entries.length > 0 || !field.required ? { value: entries } : { error: `Enter the ${asObject(field.label)}.` };
    }
  }
}

export function checkKindForm(
  fields: readonly KindField[],
  values: KindFormValues,
): { ok: true; input: Record<string, unknown>; secrets: string[] } | { ok: false; errors: KindFormErrors } {
  const errors: KindFormErrors = {};
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const read = readField(field, values[field.name] ?? '');
    if (read === undefined) continue;
    if ('error' in read) errors[field.name] = read.error;
    else input[field.name] = read.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const secrets = fields.filter((f) => f.type === 'secret').map((f) => values[f.name] ?? '');
  return { ok: true, input, secrets };
}

/** The hub names fields after the kind's input; a name the form does not show goes to the top. */
export function kindFieldOf(fields: readonly KindField[], name: string | undefined): string | undefined {
  return fields.some((f) => f.name === name) ? name : undefined;
}

/** The fields an existing account of the kind can change here; secrets change through "Sign in again". */
export function changeableFields(fields: readonly KindField[]): KindField[] {
  return fields.filter((f) => f.changeable && f.type !== 'secret');
}

/** An account's settings as the form shows them, for the fields its settings hold under the same name. */
export function kindValuesOf(fields: readonly KindField[], settings: object): KindFormValues {
  const saved = settings as Record<string, unknown>;
  return Object.fromEntries(
    fields.map((f) => {
      const value = saved[f.name];
      if (Array.isArray(value)) return [f.name, value.join(', ')];
      return [f.name, typeof value === 'string' || typeof value === 'number' ? String(value) : ''];
    }),
  );
}

/** The changes for `accounts.update`: only the fields the user changed. */
export function checkKindChanges(
  fields: readonly KindField[],
  values: KindFormValues,
  shown: KindFormValues,
): { ok: true; input: Record<string, unknown> } | { ok: false; errors: KindFormErrors } {
  const checked = checkKindForm(fields, values);
  if (!checked.ok) return checked;
  const changes = Object.fromEntries(Object.entries(checked.input).filter(([name]) => values[name] !== shown[name]));
  return { ok: true, input: changes };
}
