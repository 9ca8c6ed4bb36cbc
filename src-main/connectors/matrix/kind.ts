/**
 * Matrix chat as a connector kind: a user id and password to sign in once, the session kept in the
 * keychain, chat and end-to-end encryption as capabilities. Light on purpose: matrix-js-sdk and the
 * Rust crypto load only when a Matrix account starts; signing in is plain HTTP (matrix-session.ts).
 */
import type { Account, MatrixSettings } from '../../../src-shared/domain.ts';
import { displayName, InputError, onlyKeys, record, text } from '../../common/input.ts';
import { ConnectorError } from '../connector.ts';
import { SettingsTooNewError } from '../kind.ts';
import type { ConnectorKind, VerifiedAccount } from '../kind.ts';
import { checkHomeserver, discoverHomeserver, keepStorageKey, loginWithPassword, logout, parseSession, type LoginResult } from './matrix-session.ts';
import { loginWithToken, matrixBrowserSignIn, parseSsoGrant } from './sso-sign-in.ts';

/** The localpart and server name the spec allows, generously: servers in the wild are lax about case. */
const MATRIX_USER_ID = /^@[^\s:]{1,255}:[a-z0-9.\-[\]:]{1,255}$/i;
const SETTINGS_VERSION = 1;

export const matrixKind: ConnectorKind<MatrixSettings> = {
  kind: 'matrix',
  source: 'chat',
  label: 'Matrix chat',
  description: 'Rooms and direct messages on any Matrix homeserver',
  settingsVersion: SETTINGS_VERSION,
  capabilities: ['chat', 'encryption', 'triage'],
  // Deleting a room leaves it, which Undo cannot always reverse (an invitation is gone for good).
  confirmsDelete: true,
  holdsSignInPassword: true,
  fields: [
    { name: 'userId', label: 'User ID', type: 'text', required: true, flag: 'user', placeholder: '@alice:example.org', changeable: false },
    { name: 'homeserverUrl', label: 'Homeserver', type: 'text', required: false, flag: 'homeserver', help: 'found from the user ID unless given', changeable: false },
    { name: 'password', label: 'Password', type: 'secret', required: true, flag: 'password', changeable: false },
    { name: 'sso', label: 'Single sign-on', type: 'text', required: false, flag: 'sso', changeable: false, browserSignIn: 'flag', help: "sign in through the homeserver's identity provider in the browser" },
    { name: 'identityProvider', label: 'Identity provider', type: 'text', required: false, flag: 'idp', changeable: false, help: 'with --sso, when the homeserver offers several' },
  ],

  draft(raw) {
    const input = record(raw, 'the account');
    const sso = input['sso'] !== undefined && input['sso'] !== false;
    // Single sign-on says who signed in, so the user ID may be left out when the homeserver is given.
    const user = text(input['userId'], 'userId', 'User ID', { max: 512, optional: sso && typeof input['homeserverUrl'] === 'string' && input['homeserverUrl'] !== '' }).trim();
    const homeserver = text(input['homeserverUrl'], 'homeserverUrl', 'Homeserver', { max: 2000, optional: true }).trim();
    if (!homeserver && !MATRIX_USER_ID.test(user)) {
      throw new InputError('A Matrix user ID looks like @alice:example.org (or give the homeserver and a user name).', 'userId');
    }
    if (homeserver && user.startsWith('@') && !MATRIX_USER_ID.test(user)) throw new InputError('A Matrix user ID looks like @alice:example.org.', 'userId');
    if (sso) {
      if (typeof input['grant'] !== 'string') throw new InputError('Sign in through single sign-on in the browser first (signIn.start), then add the account with its signInId.', 'identityProvider');
      if (input['password'] !== undefined && input['password'] !== '') throw new InputError('Give either a password or single sign-on, not both.', 'password');
      const grant = parseSsoGrant(input['grant']);
      const kept = grant.identityProvider ? { identityProvider: grant.identityProvider } : {};
      return { displayName: displayName(input), settings: { homeserverUrl: grant.homeserverUrl, userId: user, sso: kept }, secret: undefined, grant: input['grant'] };
    }
    const password = text(input['password'], 'password', 'Password', { max: 4096 });
    // A bare localpart is completed by the login; the homeserver by /.well-known when not given.
    return { displayName: displayName(input), settings: { homeserverUrl: homeserver, userId: user }, secret: password };
  },

  identity: (settings) => `${settings.userId}|${settings.homeserverUrl}`,
  duplicate: (name) => ({ message: `This Matrix account is already here as "${name}".`, field: 'userId' }),

  decodeSettings(stored, version) {
    if (version > SETTINGS_VERSION) throw new SettingsTooNewError('Matrix', version);
    const s = record(stored, 'the stored Matrix settings');
    return {
      homeserverUrl: String(s['homeserverUrl'] ?? ''),
      userId: String(s['userId'] ?? ''),
      ...(typeof s['deviceId'] === 'string' ? { deviceId: s['deviceId'] } : {}),
      ...(typeof s['sso'] === 'object' && s['sso'] !== null
        ? { sso: typeof (s['sso'] as { identityProvider?: unknown }).identityProvider === 'string' ? { identityProvider: (s['sso'] as { identityProvider: string }).identityProvider } : {} }
        : {}),
    };
  },

  applyChanges(settings, changes) {
    onlyKeys(changes, [], 'A Matrix account');
    return { settings, recheck: false };
  },

  describe: (account) => `${account.settings.userId} on ${account.settings.homeserverUrl}`,
  signsIn: () => true,
  browserSignIn: {
    ...matrixBrowserSignIn,
    complete: (account, grant, previousSecret) => placeErrors(account, signIn(account, undefined, previousSecret, grant)),
  },

  async verify(account, password, previousSecret) {
    return placeErrors(account, signIn(account, password, previousSecret));
  },

  async forget(account, secret) {
    await logout(account.settings.homeserverUrl, parseSession(secret));
  },

  async create(ctx) {
    const { createMatrixConnector } = await import('./matrix-connector.ts');
    return createMatrixConnector(ctx);
  },
};

/** A homeserver that cannot be found or is not one belongs beside the field it came from. */
function placeErrors<T>(account: Account<MatrixSettings>, signingIn: Promise<T>): Promise<T> {
  return signingIn.catch((error: unknown) => {
    if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input' || error.code === 'connection-failed')) {
      throw new InputError(error.message, account.settings.homeserverUrl ? 'homeserverUrl' : 'userId');
    }
    throw error;
  });
}

/**
 * The secret given is the password; what comes back to keep is the login's session. An account
 * that signs in again passes its device id, so the user's device list does not grow.
 */
async function signIn(account: Account<MatrixSettings>, password: string | undefined, previousSecret: string | undefined, grant?: string): Promise<VerifiedAccount<MatrixSettings>> {
  const { settings } = account;
  let homeserverUrl: string;
  let login: LoginResult;
  if (grant !== undefined) {
    // Single sign-on: the grant names the homeserver it came from and carries a one-time login token.
    const sso = parseSsoGrant(grant);
    homeserverUrl = sso.homeserverUrl;
    login = await loginWithToken(homeserverUrl, sso.loginToken, settings.deviceId);
    // An SSO login says who signed in; one typed beforehand, or this account's own, must be that one.
    const expected = settings.userId.startsWith('@') ? settings.userId : settings.userId ? `@${settings.userId}:` : '';
    if (expected && !(expected.endsWith(':') ? login.userId.startsWith(expected) : login.userId === expected)) {
      await logout(homeserverUrl, login.session).catch(() => undefined);
      throw new ConnectorError('invalid-input', `The single sign-on signed in ${login.userId}, not ${settings.userId}. Sign in at the identity provider as ${settings.userId}, or add ${login.userId} as a separate account.`);
    }
  } else {
    homeserverUrl = settings.homeserverUrl ? await checkHomeserver(settings.homeserverUrl) : await discoverHomeserver(settings.userId);
    login = await loginWithPassword(homeserverUrl, settings.userId, password ?? '', settings.deviceId);
    // Signing in again must not quietly turn the account into someone else's.
    // (A device the server ended has no id any more; the previous secret still says it is a sign-in again.)
    if ((settings.deviceId !== undefined || previousSecret !== undefined) && login.userId !== settings.userId) {
      await logout(homeserverUrl, login.session).catch(() => undefined);
      throw new ConnectorError('invalid-input', `That password signs in ${login.userId}, not ${settings.userId}. Add it as a separate account.`);
    }
  }
  return {
    account: {
      ...account,
      displayName: account.displayName || login.userId,
      settings: { homeserverUrl, userId: login.userId, deviceId: login.deviceId, ...(settings.sso ? { sso: settings.sso } : {}) },
    },
    // Signing in again on the same device keeps the key its crypto store is encrypted with.
    secret: JSON.stringify(keepStorageKey(login.session, previousSecret, settings.deviceId === login.deviceId)),
  };
}
