/**
 * A kind's fields as command-line flags: `--flag VALUE` for text, numbers and choices, `--flag VALUE`
 * repeated for lists, and `--flag-stdin` for a secret, which never goes on the command line. The
 * kinds describe their fields through the contract (`kinds.list`), so a new kind has its flags
 * without a change here.
 */
import type { ParseArgsConfig } from 'node:util';
import type { KindDescriptor, KindField } from '../../src-shared/api.ts';

type FlagValues = Record<string, string | boolean | string[] | undefined>;
type Options = NonNullable<ParseArgsConfig['options']>;

const secretFlag = (field: KindField) => `${field.flag}-stdin`;

/** The parseArgs options of a kind's fields; `changing` keeps only what `account update` may change. */
export function kindFlags(kind: KindDescriptor, changing: boolean): Options {
  const options: Options = {};
  for (const field of kind.fields) {
    if (changing && !field.changeable) continue;
    if (field.type === 'secret') options[secretFlag(field)] = { type: 'boolean' };
    else if (field.browserSignIn === 'flag') options[field.flag] = { type: 'boolean' };
    else options[field.flag] = field.type === 'list' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  return options;
}

/** The secret flags given, in the order the kind lists them: at most one may read standard input. */
export function stdinFlagsOf(kind: KindDescriptor, values: FlagValues): KindField[] {
  return kind.fields.filter((field) => field.type === 'secret' && values[secretFlag(field)] === true);
}

/**
 * The secrets given, read from standard input: one secret is all of it (a password may hold any
 * character but a final newline); several are one per line, in the order the kind lists its fields
 * (IMAP: the password, then the SMTP password).
 */
export function secretsFromStdin(kind: KindDescriptor, values: FlagValues, stdinText: string | undefined): Map<string, string> {
  const given = stdinFlagsOf(kind, values);
  const found = new Map<string, string>();
  if (given.length === 1) found.set(given[0]!.name, (stdinText ?? '').replace(/\r?\n$/, ''));
  else if (given.length > 1) {
    const lines = (stdinText ?? '').replace(/\r?\n$/, '').split(/\r?\n/);
    given.forEach((field, i) => found.set(field.name, lines[i] ?? ''));
  }
  return found;
}

/** The kind's input for `accounts.add`; the kind itself checks every value and names a wrong one. */
export function accountInput(kind: KindDescriptor, values: FlagValues, stdinText: string | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const secrets = secretsFromStdin(kind, values, stdinText);
  for (const field of kind.fields) {
    if (field.type === 'secret') {
      if (secrets.has(field.name)) input[field.name] = secrets.get(field.name);
      continue;
    }
    const value = values[field.flag];
    if (value !== undefined && value !== false) input[field.name] = value;
  }
  if (typeof values['name'] === 'string') input['displayName'] = values['name'];
  return input;
}

/** The field that asks for a sign-in through the browser (`--oauth google`, `--sso`), when given. */
export function browserSignInFlagOf(kind: KindDescriptor, values: FlagValues): KindField | undefined {
  return kind.fields.find((field) => field.browserSignIn !== undefined && values[field.flag] !== undefined && values[field.flag] !== false);
}

/** The changes for `accounts.update`: only the flags given (a changeable secret, like the SMTP password, from standard input). */
export function accountChanges(kind: KindDescriptor | undefined, values: FlagValues, stdinText?: string): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  const secrets = kind ? secretsFromStdin(kind, values, stdinText) : new Map<string, string>();
  for (const field of kind?.fields ?? []) {
    if (!field.changeable) continue;
    if (field.type === 'secret') {
      if (secrets.has(field.name)) changes[field.name] = secrets.get(field.name);
      continue;
    }
    const value = values[field.flag];
    if (value !== undefined) changes[field.name] = value;
  }
  if (typeof values['name'] === 'string') changes['displayName'] = values['name'];
  return changes;
}

/** `account add KIND --help`: the kind's flags, from its own description of them. */
export function kindUsage(kind: KindDescriptor): string {
  const lines = kind.fields.map((field) => {
    const flag = field.type === 'secret' ? `--${secretFlag(field)}` : field.browserSignIn === 'flag' ? `--${field.flag}` : `--${field.flag} ${field.type === 'number' ? 'N' : field.type === 'choice' ? (field.choices ?? []).join('|') : 'VALUE'}${field.type === 'list' ? '...' : ''}`;
    const notes = [field.required ? 'required' : 'optional', field.changeable ? 'changeable with account update' : '', field.help ?? ''].filter((n) => n !== '');
    return `  ${flag.padEnd(34)} ${field.label} (${notes.join('; ')})`;
  });
  return [`account add ${kind.kind} — ${kind.label}: ${kind.description}`, '  --name N'.padEnd(37) + 'Display name (optional)', ...lines].join('\n');
}
