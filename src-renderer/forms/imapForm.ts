/**
 * The IMAP account forms as plain data: their values, the defaults that follow the security
 * choice, and validation that turns the add form into an ImapAccountInput and an account's Server
 * section into ImapAccountChanges, by the same rules. No React here, so every rule is unit-tested.
 */
import type { ImapAccountChanges, ImapAccountInput } from '../../src-shared/api.ts';
import { isLocalHost } from '../../src-shared/domain.ts';
import type { AppError } from '../../src-shared/result.ts';
import type { ImapSecurity, ImapSettings } from '../../src-shared/domain.ts';

export interface ImapFormValues {
  displayName: string;
  host: string;
  /** Kept as typed so a half-typed port can be shown back; parsed on submit. */
  port: string;
  security: ImapSecurity;
  user: string;
  password: string;
  syncWindowDays: string;
  syncMaxMessages: string;
}

export type ImapFormField = keyof ImapFormValues;
export type ImapFormErrors = Partial<Record<ImapFormField, string>>;

export const IMAP_FORM_FIELDS: readonly ImapFormField[] = [
  'displayName',
  'host',
  'port',
  'security',
  'user',
  'password',
  'syncWindowDays',
  'syncMaxMessages',
];

export const SECURITY_LABELS: Record<ImapSecurity, string> = {
  tls: 'TLS',
  starttls: 'STARTTLS',
  plain: 'None',
};

export function defaultPort(security: ImapSecurity): number {
  return security === 'tls' ? 993 : 143;
}

export function emptyImapForm(): ImapFormValues {
  return {
    displayName: '',
    host: '',
    port: String(defaultPort('tls')),
    security: 'tls',
    user: '',
    password: '',
    syncWindowDays: '30',
    syncMaxMessages: '2000',
  };
}

/** A new security choice moves the port to its default unless the user typed a port of their own. */
export function withSecurity<V extends ImapServerValues>(values: V, security: ImapSecurity, portEdited: boolean): V {
  return portEdited ? { ...values, security } : { ...values, security, port: String(defaultPort(security)) };
}

function parseWholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

export type ImapFormCheck =
  | { ok: true; input: ImapAccountInput }
  | { ok: false; errors: ImapFormErrors };

/** Where and how the account connects: the add form without the name and the password, and an existing account's Server section. */
export type ImapServerValues = Omit<ImapFormValues, 'displayName' | 'password'>;
export type ImapServerField = keyof ImapServerValues;
type ImapServer = Pick<ImapAccountInput, 'host' | 'port' | 'security' | 'user' | 'syncWindowDays' | 'syncMaxMessages'>;

function checkServer(values: ImapServerValues, errors: ImapFormErrors): ImapServer | undefined {
  const host = values.host.trim();
  const user = values.user.trim();
  if (host === '') errors.host = 'Enter the IMAP server, for example imap.example.com.';
  else if (/[\s/]/.test(host)) {
    errors.host = 'Enter only the host name, without spaces, "imap://" or a path.';
  }

  const port = parseWholeNumber(values.port);
  if (port === undefined || port < 1 || port > 65535) errors.port = 'Enter a port from 1 to 65535.';

  if (values.security === 'plain' && host !== '' && !isLocalHost(host)) {
    errors.security = 'Without encryption your password would cross the network readable; choose TLS or STARTTLS (None is only for localhost).';
  }

  if (user === '') errors.user = 'Enter your user name.';

  const days = parseWholeNumber(values.syncWindowDays);
  if (days === undefined || days < 1 || days > 3650) errors.syncWindowDays = 'Enter a number of days from 1 to 3650.';
  const max = parseWholeNumber(values.syncMaxMessages);
  if (max === undefined || max < 1 || max > 100000) errors.syncMaxMessages = 'Enter a number of messages from 1 to 100000.';

  if (Object.keys(errors).length > 0 || port === undefined || days === undefined || max === undefined) return undefined;
  return { host, port, security: values.security, user, syncWindowDays: days, syncMaxMessages: max };
}

export function checkImapForm(values: ImapFormValues): ImapFormCheck {
  const errors: ImapFormErrors = {};
  const displayName = values.displayName.trim();
  if (displayName === '') errors.displayName = 'Enter a name for this account.';
  const server = checkServer(values, errors);
  if (values.password === '') errors.password = 'Enter your password.';
  if (Object.keys(errors).length > 0 || server === undefined) return { ok: false, errors };
  // A password may legitimately start or end with a space: sent exactly as typed.
  return { ok: true, input: { displayName, ...server, password: values.password } };
}

/** An existing account's settings as the Server section shows them. */
export function imapServerValuesOf(settings: ImapSettings): ImapServerValues {
  return {
    host: settings.host,
    port: String(settings.port),
    security: settings.security,
    user: settings.user,
    syncWindowDays: String(settings.syncWindowDays),
    syncMaxMessages: String(settings.syncMaxMessages),
  };
}

/**
 * The Server section's values as `accounts.update` changes: only what differs from the saved
 * settings, so an unchanged form asks nothing of the server.
 */
export function checkImapServerForm(
  values: ImapServerValues,
  saved: ImapSettings,
): { ok: true; input: ImapAccountChanges } | { ok: false; errors: ImapFormErrors } {
  const errors: ImapFormErrors = {};
  const server = checkServer(values, errors);
  if (server === undefined) return { ok: false, errors };
  const changes: ImapAccountChanges = {};
  for (const key of Object.keys(server) as (keyof ImapServer)[]) {
    if (server[key] !== saved[key]) Object.assign(changes, { [key]: server[key] });
  }
  return { ok: true, input: changes };
}

const SERVER_FIELDS = IMAP_FORM_FIELDS.filter((f): f is ImapServerField => f !== 'displayName' && f !== 'password');
const CONNECTION_FIELDS: readonly ImapServerField[] = ['host', 'port', 'security'];

/**
 * Where the hub's refusal of a Server change goes: beside the field it names; when the server
 * itself refused (no field named), beside the one field that changed and could be the cause, since
 * that is what the user has to look at again; else above the section.
 */
export function placeServerError(error: AppError, changes: ImapAccountChanges): { field: ImapServerField | undefined; message: string } {
  const named = SERVER_FIELDS.find((f) => f === error.field);
  if (named !== undefined) return { field: named, message: error.message };
  const changed = Object.keys(changes) as ImapServerField[];
  if (error.code === 'auth-failed' && error.field === undefined && changed.includes('user')) return { field: 'user', message: error.message };
  const connection = changed.filter((f) => CONNECTION_FIELDS.includes(f));
  if (error.code === 'connection-failed' && connection.length === 1) return { field: connection[0], message: error.message };
  return { field: undefined, message: error.message };
}

/** The hub names fields after ImapAccountInput; those that are not on the form go to the top. */
export function formFieldOf(field: string | undefined): ImapFormField | undefined {
  return field !== undefined && (IMAP_FORM_FIELDS as readonly string[]).includes(field) ? (field as ImapFormField) : undefined;
}
