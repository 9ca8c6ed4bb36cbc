/**
 * Finding the homeserver, logging in with a password and logging out, over plain HTTP: adding an
 * account must work before there is a client to sync with, and the password is used once here
 * and never kept. What the keychain keeps is the session this returns.
 */
import { hostname } from 'node:os';
import { isLocalHost } from '../../../src-shared/domain.ts';
import { ConnectorError } from '../connector.ts';

/** What the keychain holds for a Matrix account (as JSON): the login's tokens, never the password. */
export interface MatrixSession {
  accessToken: string;
  /**
   * The 32-byte key (base64) the device's crypto store is encrypted with at rest. Made on the first
   * start; it belongs to the device, so signing in again on the same device keeps it.
   */
  storageKey?: string;
}

export function parseSession(secret: string): MatrixSession {
  try {
    const value = JSON.parse(secret) as Partial<MatrixSession>;
    if (typeof value.accessToken === 'string' && value.accessToken !== '') {
      return { accessToken: value.accessToken, ...(typeof value.storageKey === 'string' && value.storageKey !== '' ? { storageKey: value.storageKey } : {}) };
    }
  } catch {
    // Fall through to the error below: a keychain entry from something else.
  }
  throw new ConnectorError('auth-failed', 'The saved Matrix session is unreadable. Sign in again.');
}

/** A new session on the same device takes the previous session's storage key along. */
export function keepStorageKey(session: MatrixSession, previousSecret: string | undefined, sameDevice: boolean): MatrixSession {
  if (!sameDevice || previousSecret === undefined) return session;
  try {
    const { storageKey } = parseSession(previousSecret);
    return storageKey ? { ...session, storageKey } : session;
  } catch {
    return session;
  }
}

export const DEVICE_NAME = `Groundswell on ${hostname()}`;
const REQUEST_TIMEOUT_MS = 15_000;

/** `@alice:example.org` → example.org (a port stays: `@bob:127.0.0.1:8448`). */
export function serverNameOf(userId: string): string {
  const colon = userId.indexOf(':');
  if (!userId.startsWith('@') || colon < 2 || colon === userId.length - 1) {
    throw new ConnectorError('invalid-input', 'A Matrix user ID looks like @alice:example.org.');
  }
  return userId.slice(colon + 1);
}

/** The server's own address: https, except for this computer, where a test or dev server runs plain. */
function serverOrigin(serverName: string): string {
  const host = serverName.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return `${isLocalHost(host) ? 'http' : 'https'}://${serverName}`;
}

async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    const host = new URL(url).host;
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'did not answer in time' : 'could not be reached';
    throw new ConnectorError('connection-failed', `${host} ${reason}. Check the address and your connection.`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/**
 * The client-server API base for a user id, as the spec's discovery says: /.well-known/matrix/client
 * on the server name, else the server name itself; either is checked with /versions before use.
 */
export async function discoverHomeserver(userId: string): Promise<string> {
  const origin = serverOrigin(serverNameOf(userId));
  let candidate = origin;
  const wellKnown = await getJson(`${origin}/.well-known/matrix/client`).catch(() => undefined);
  if (wellKnown?.status === 200) {
    const base = (wellKnown.body as { 'm.homeserver'?: { base_url?: unknown } } | undefined)?.['m.homeserver']?.base_url;
    if (typeof base !== 'string' || base === '') {
      throw new ConnectorError('invalid-input', `${new URL(origin).host} publishes a broken /.well-known/matrix/client. Enter the homeserver address yourself.`);
    }
    candidate = base;
  }
  return checkHomeserver(candidate);
}

/** A trailing slash and a path the user pasted by mistake are dropped; the address must answer /versions. */
export async function checkHomeserver(url: string): Promise<string> {
  let base: URL;
  try {
    base = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    throw new ConnectorError('invalid-input', 'The homeserver must be an address such as https://matrix.example.org.');
  }
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLocalHost(base.hostname))) {
    throw new ConnectorError('invalid-input', 'The homeserver must use https:// (plain http is only allowed for this computer).');
  }
  const href = `${base.origin}${base.pathname.replace(/\/(_matrix.*)?$/, '')}`;
  const versions = await getJson(`${href}/_matrix/client/versions`);
  const list = (versions.body as { versions?: unknown } | undefined)?.versions;
  if (versions.status !== 200 || !Array.isArray(list)) {
    throw new ConnectorError('not-found', `${base.host} is not a Matrix homeserver (it does not answer /_matrix/client/versions).`);
  }
  return href;
}

export interface LoginResult {
  userId: string;
  deviceId: string;
  session: MatrixSession;
}

/** m.login.password; signing in again passes the old device id so the device list does not grow. */
export async function loginWithPassword(homeserverUrl: string, user: string, password: string, deviceId?: string): Promise<LoginResult> {
  const { status, body } = await getJson(`${homeserverUrl}/_matrix/client/v3/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
      initial_device_display_name: DEVICE_NAME,
      ...(deviceId ? { device_id: deviceId } : {}),
    }),
  });
  const answer = (body ?? {}) as { user_id?: unknown; access_token?: unknown; device_id?: unknown; errcode?: unknown; error?: unknown };
  if (status === 200 && typeof answer.access_token === 'string' && typeof answer.user_id === 'string' && typeof answer.device_id === 'string') {
    return { userId: answer.user_id, deviceId: answer.device_id, session: { accessToken: answer.access_token } };
  }
  if (answer.errcode === 'M_FORBIDDEN' || status === 403) {
    throw new ConnectorError('auth-failed', 'Authentication failed: the homeserver refused this user ID and password.');
  }
  if (answer.errcode === 'M_LIMIT_EXCEEDED' || status === 429) {
    throw new ConnectorError('connection-failed', 'The homeserver is limiting sign-in attempts. Wait a minute and try again.');
  }
  if (answer.errcode === 'M_USER_DEACTIVATED') throw new ConnectorError('auth-failed', 'This Matrix account has been deactivated.');
  const detail = typeof answer.error === 'string' ? `: ${answer.error.slice(0, 200)}` : '';
  throw new ConnectorError('protocol', `The homeserver did not accept the sign-in (HTTP ${status}${detail}).`);
}

/** Revokes the token on the server. A token that is already dead is fine: that is the goal. */
export async function logout(homeserverUrl: string, session: MatrixSession): Promise<void> {
  const { status } = await getJson(`${homeserverUrl}/_matrix/client/v3/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (status !== 200 && status !== 401) throw new ConnectorError('connection-failed', `The homeserver did not confirm the sign-out (HTTP ${status}).`);
}
