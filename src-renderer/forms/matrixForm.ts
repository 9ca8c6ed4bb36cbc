/**
 * The add-Matrix-account form as plain data: values as typed, and validation that turns them into a
 * MatrixAccountInput. The hub finds the homeserver and checks the password; this catches what needs
 * no network.
 */
import type { MatrixAccountInput } from '../../src-shared/api.ts';
import { isLocalHost } from '../../src-shared/domain.ts';

export interface MatrixFormValues {
  userId: string;
  /** Optional: empty means "find it from the user id" (/.well-known/matrix/client). */
  homeserverUrl: string;
  password: string;
}

export type MatrixFormField = keyof MatrixFormValues;
export type MatrixFormErrors = Partial<Record<MatrixFormField, string>>;

const MATRIX_FORM_FIELDS: readonly MatrixFormField[] = ['userId', 'homeserverUrl', 'password'];

export function emptyMatrixForm(): MatrixFormValues {
  return { userId: '', homeserverUrl: '', password: '' };
}

/** A server name as Matrix writes it after the colon: a host name, IPv4 or [IPv6], and an optional port. */
const SERVER_NAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
/** The local part as servers accept it today (the spec's historical characters included), minus what cannot be typed by mistake. */
const LOCAL_PART = /^[^\s:@]+$/;

function checkUserId(raw: string, hasHomeserver: boolean): { userId: string } | { error: string } {
  if (raw === '') return { error: 'Enter your Matrix user ID, for example @alice:example.org.' };
  if (/\s/.test(raw)) return { error: 'A user ID has no spaces. Example: @alice:example.org' };
  const bare = raw.startsWith('@') ? raw.slice(1) : raw;
  const colon = bare.indexOf(':');
  if (colon === -1) {
    if (!LOCAL_PART.test(bare)) return { error: 'This is not a user ID. Example: @alice:example.org' };
    // The contract takes a bare name when the homeserver is given: the server adds its own name.
    if (hasHomeserver) return { userId: bare };
    return { error: 'Enter the full user ID with its server, like @alice:example.org, or fill in the homeserver.' };
  }
  const local = bare.slice(0, colon);
  const server = bare.slice(colon + 1);
  if (local === '' || !LOCAL_PART.test(local)) return { error: 'This is not a user ID. Example: @alice:example.org' };
  if (!SERVER_NAME.test(server)) return { error: 'After the colon comes the server name, like example.org — not a web address.' };
  return { userId: `@${local}:${server.toLowerCase()}` };
}

function checkHomeserver(raw: string): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return { error: 'This is not a web address. Example: https://matrix.example.org' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'The homeserver address must start with https://.' };
  if (url.protocol === 'http:' && !isLocalHost(url.hostname)) {
    return { error: 'Use https://: over http:// the password would cross the network readable (http:// is only for this computer).' };
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return { error: 'Enter only the homeserver address, without a query or a user name in it.' };
  }
  // The client-server API sits under this base; a trailing slash would double up in every path.
  return { url: url.href.replace(/\/+$/, '') };
}

export function checkMatrixForm(values: MatrixFormValues): { ok: true; input: MatrixAccountInput } | { ok: false; errors: MatrixFormErrors } {
  const errors: MatrixFormErrors = {};
  const homeserverRaw = values.homeserverUrl.trim();
  const homeserver = homeserverRaw === '' ? undefined : checkHomeserver(homeserverRaw);
  if (homeserver !== undefined && 'error' in homeserver) errors.homeserverUrl = homeserver.error;
  const user = checkUserId(values.userId.trim(), homeserverRaw !== '');
  if ('error' in user) errors.userId = user.error;
  if (values.password === '') errors.password = 'Enter your password.';
  if (Object.keys(errors).length > 0 || 'error' in user || (homeserver !== undefined && 'error' in homeserver)) return { ok: false, errors };
  // A password may start or end with a space: sent exactly as typed.
  const input: MatrixAccountInput = { userId: user.userId, password: values.password };
  if (homeserver !== undefined) input.homeserverUrl = homeserver.url;
  return { ok: true, input };
}

/** The hub names fields after MatrixAccountInput; those that are not on the form go to the top. */
export function matrixFieldOf(field: string | undefined): MatrixFormField | undefined {
  return field !== undefined && (MATRIX_FORM_FIELDS as readonly string[]).includes(field) ? (field as MatrixFormField) : undefined;
}

/** The user ID and homeserver alone, for single sign-on (no password) and for asking how the server signs in. */
export function checkMatrixTarget(values: MatrixFormValues): { ok: true; userId: string; homeserverUrl?: string } | { ok: false; errors: MatrixFormErrors } {
  const checked = checkMatrixForm({ ...values, password: values.password === '' ? ' ' : values.password });
  if (!checked.ok) return checked;
  return { ok: true, userId: checked.input.userId, ...(checked.input.homeserverUrl !== undefined ? { homeserverUrl: checked.input.homeserverUrl } : {}) };
}
