/**
 * Matrix single sign-on (the client-server spec's m.login.sso and m.login.token), through
 * matrix-js-sdk: the homeserver's login flows say whether it offers SSO and with which identity
 * providers; the system browser goes to /login/sso/redirect and comes back to the loopback address
 * with a login token, which signs in once.
 */
import { randomBytes } from 'node:crypto';
import type { BrowserSignInOption, SignInOptions } from '../../../src-shared/api.ts';
import type { MatrixSettings } from '../../../src-shared/domain.ts';
import { InputError, record, text } from '../../common/input.ts';
import { ConnectorError } from '../connector.ts';
import type { BrowserSignInCapability } from '../kind.ts';
import { checkHomeserver, DEVICE_NAME, discoverHomeserver, type LoginResult } from './matrix-session.ts';

/** What the browser brings back (as JSON), reaching the kind's draft as `input.grant`. */
export interface SsoGrant {
  homeserverUrl: string;
  loginToken: string;
  identityProvider?: string;
}

const ICON_MAX_BYTES = 256 * 1024;
const ICON_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

async function sdkClient(homeserverUrl: string) {
  const { createClient } = await import('matrix-js-sdk');
  const { sdkLogger, silenceSdkConsoleLogging } = await import('./sdk-logging.ts');
  silenceSdkConsoleLogging();
  const { createLogger, silentSink } = await import('../../common/logger.ts');
  return createClient({ baseUrl: homeserverUrl, logger: sdkLogger(createLogger(silentSink)) });
}

/** The homeserver of a user id typed so far, or of the address given. */
async function homeserverOf(input: Record<string, unknown>): Promise<string> {
  const homeserver = text(input['homeserverUrl'], 'homeserverUrl', 'Homeserver', { max: 2000, optional: true }).trim();
  const userId = text(input['userId'], 'userId', 'User ID', { max: 512, optional: true }).trim();
  const field = homeserver ? 'homeserverUrl' : 'userId';
  try {
    if (homeserver) return await checkHomeserver(homeserver);
    if (!userId) throw new InputError('Enter the Matrix ID (@alice:example.org) first.', 'userId');
    return await discoverHomeserver(userId);
  } catch (error) {
    if (error instanceof ConnectorError) throw new InputError(error.message, field);
    throw error;
  }
}

interface LoginFlows {
  password: boolean;
  sso: boolean;
  providers: { id: string; name: string; icon?: string }[];
}

async function loginFlows(homeserverUrl: string): Promise<LoginFlows> {
  const client = await sdkClient(homeserverUrl);
  let flows: { type: string; identity_providers?: { id?: unknown; name?: unknown; icon?: unknown }[] }[];
  try {
    flows = (await client.loginFlows()).flows as typeof flows;
  } catch (error) {
    throw new ConnectorError('connection-failed', `${new URL(homeserverUrl).host} did not say how it signs in (GET /login). Check the address and try again.`, { cause: error });
  }
  const sso = flows.find((f) => f.type === 'm.login.sso' || f.type === 'm.login.cas');
  const providers = (sso?.identity_providers ?? []).flatMap((idp) =>
    typeof idp.id === 'string' && typeof idp.name === 'string'
      ? [{ id: idp.id, name: idp.name.slice(0, 100), ...(typeof idp.icon === 'string' && idp.icon.startsWith('mxc://') ? { icon: idp.icon } : {}) }]
      : [],
  );
  return { password: flows.some((f) => f.type === 'm.login.password'), sso: sso !== undefined, providers };
}

/** An identity provider's icon as a data: URL; none when the server will not give it without a session. */
async function iconDataUrl(homeserverUrl: string, mxc: string): Promise<string | undefined> {
  const match = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(mxc);
  if (!match) return undefined;
  try {
    const response = await fetch(`${homeserverUrl}/_matrix/media/v3/download/${encodeURIComponent(match[1]!)}/${encodeURIComponent(match[2]!)}`, { signal: AbortSignal.timeout(5_000) });
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!response.ok || !ICON_TYPES.has(type)) return undefined;
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > ICON_MAX_BYTES) return undefined;
    return `data:${type};base64,${bytes.toString('base64')}`;
  } catch {
    return undefined;
  }
}

async function begin(homeserverUrl: string, identityProvider: string | undefined, redirectUri: string) {
  const flows = await loginFlows(homeserverUrl);
  if (!flows.sso) throw new InputError(`${new URL(homeserverUrl).host} does not offer single sign-on. Sign in with the password instead.`, 'identityProvider');
  if (identityProvider && flows.providers.length > 0 && !flows.providers.some((p) => p.id === identityProvider)) {
    throw new InputError(`${new URL(homeserverUrl).host} has no identity provider "${identityProvider}"; it offers ${flows.providers.map((p) => `${p.id} (${p.name})`).join(', ')}.`, 'identityProvider');
  }
  const client = await sdkClient(homeserverUrl);
  // SSO has no state of its own: ours rides in the redirectUrl, which the homeserver sends back whole,
  // so a login token some other page aims at the loopback address is refused (login CSRF).
  const state = randomBytes(16).toString('base64url');
  const back = new URL(redirectUri);
  back.searchParams.set('gs_state', state);
  return {
    url: client.getSsoLoginUrl(back.href, 'sso', identityProvider || undefined),
    async finish(callback: URL) {
      if (callback.searchParams.get('gs_state') !== state) throw new ConnectorError('auth-failed', 'The browser came back from a sign-in Groundswell did not start. Start the single sign-on again.');
      const loginToken = callback.searchParams.get('loginToken');
      if (!loginToken) throw new ConnectorError('auth-failed', 'The homeserver sent the browser back without a login token: the single sign-on did not finish.');
      const grant: SsoGrant = { homeserverUrl, loginToken, ...(identityProvider ? { identityProvider } : {}) };
      return JSON.stringify(grant);
    },
  };
}

export function parseSsoGrant(grant: string): SsoGrant {
  try {
    const value = JSON.parse(grant) as Partial<SsoGrant>;
    if (typeof value.homeserverUrl === 'string' && typeof value.loginToken === 'string') return value as SsoGrant;
  } catch {
    // Below.
  }
  throw new InputError('The single sign-on did not bring back a usable login token. Start it again.', 'identityProvider');
}

/** m.login.token: the login token is good for one sign-in; signing in again keeps the device. */
export async function loginWithToken(homeserverUrl: string, loginToken: string, deviceId?: string): Promise<LoginResult> {
  const client = await sdkClient(homeserverUrl);
  try {
    const answer = await client.loginRequest({ type: 'm.login.token', token: loginToken, initial_device_display_name: DEVICE_NAME, ...(deviceId ? { device_id: deviceId } : {}) });
    return { userId: answer.user_id, deviceId: answer.device_id, session: { accessToken: answer.access_token } };
  } catch (error) {
    const status = (error as { httpStatus?: unknown }).httpStatus;
    if (status === 403 || (error as { errcode?: unknown }).errcode === 'M_FORBIDDEN') {
      throw new ConnectorError('auth-failed', 'The homeserver did not accept the single sign-on (its login token was used or expired). Sign in again.', { cause: error });
    }
    if (typeof status === 'number') throw new ConnectorError('protocol', `The homeserver did not accept the single sign-on (HTTP ${status}).`, { cause: error });
    throw new ConnectorError('connection-failed', `${new URL(homeserverUrl).host} could not be reached to finish the single sign-on.`, { cause: error });
  }
}

/** Everything but `complete`, which signs in the way the kind's password sign-in does (kind.ts). */
export const matrixBrowserSignIn: Omit<BrowserSignInCapability<MatrixSettings>, 'complete'> = {
  async options(raw): Promise<SignInOptions> {
    const input = record(raw, 'the account');
    const homeserverUrl = await homeserverOf(input);
    const flows = await loginFlows(homeserverUrl);
    if (!flows.sso) return { password: flows.password, browser: [] };
    const browser: BrowserSignInOption[] =
      flows.providers.length === 0
        ? [{ id: '', name: 'Single sign-on' }]
        : await Promise.all(
            flows.providers.map(async (p) => {
              const icon = p.icon ? await iconDataUrl(homeserverUrl, p.icon) : undefined;
              return { id: p.id, name: p.name, ...(icon ? { icon } : {}) };
            }),
          );
    return { password: flows.password, browser };
  },

  async start(raw, ctx) {
    const input = record(raw, 'the account');
    const identityProvider = text(input['identityProvider'], 'identityProvider', 'Identity provider', { max: 255, optional: true }).trim();
    return begin(await homeserverOf(input), identityProvider || undefined, ctx.redirectUri);
  },

  async startAgain(settings, ctx) {
    return begin(await checkHomeserver(settings.homeserverUrl), settings.sso?.identityProvider, ctx.redirectUri);
  },

  uses: (settings) => settings.sso !== undefined,
};
