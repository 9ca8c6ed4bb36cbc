/**
 * OAuth2 for an installed app, through oauth4webapi: the authorization code grant with PKCE (RFC
 * 7636, S256) in the system browser returning to a loopback address (RFC 8252), the refresh token
 * grant, and revocation (RFC 7009). What goes wrong becomes a ConnectorError carrying the
 * provider's own reason, since "access denied" and "grant revoked" want different actions.
 */
import * as oauth from 'oauth4webapi';
import { ConnectorError } from './connector.ts';
import type { OAuthProvider } from './oauth-providers.ts';

/** What an account keeps of its provider so it can refresh without the provider table (settings, not secret). */
export interface OAuthClientSettings {
  provider: string;
  /** The provider's name, for messages ("Google no longer accepts …"). */
  providerName: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  /** A refresh token belongs to the client that obtained it, so the client id stays with the account. */
  clientId: string;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch; absent when the provider did not say. */
  expiresAt?: number;
}

export interface AuthorizationStart {
  url: string;
  /** Reads the redirect the browser came back with and exchanges its code for tokens. */
  finish(callback: URL): Promise<OAuthTokens>;
}

const TIMEOUT_S = 30;

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

function server(endpoints: { authorizationEndpoint?: string; tokenEndpoint: string; revocationEndpoint?: string }): oauth.AuthorizationServer {
  return {
    issuer: new URL(endpoints.tokenEndpoint).origin,
    ...(endpoints.authorizationEndpoint ? { authorization_endpoint: endpoints.authorizationEndpoint } : {}),
    token_endpoint: endpoints.tokenEndpoint,
    ...(endpoints.revocationEndpoint ? { revocation_endpoint: endpoints.revocationEndpoint } : {}),
  };
}

/** http:// is allowed only for a provider on this computer (a test or development server). */
function requestOptions(endpoint: string) {
  return { signal: AbortSignal.timeout(TIMEOUT_S * 1000), ...(isLoopback(endpoint) ? { [oauth.allowInsecureRequests]: true } : {}) };
}

function clientAuth(secret: string | undefined): oauth.ClientAuth {
  return secret ? oauth.ClientSecretPost(secret) : oauth.None();
}

export function clientSettingsOf(provider: OAuthProvider & { clientId: string }): OAuthClientSettings {
  return {
    provider: provider.id,
    providerName: provider.name,
    tokenEndpoint: provider.tokenEndpoint,
    ...(provider.revocationEndpoint ? { revocationEndpoint: provider.revocationEndpoint } : {}),
    clientId: provider.clientId,
  };
}

/** The provider's sign-in page for this app, and how to finish once the browser comes back. */
export async function startAuthorization(provider: OAuthProvider & { clientId: string }, redirectUri: string, loginHint?: string): Promise<AuthorizationStart> {
  const as = server(provider);
  const client: oauth.Client = { client_id: provider.clientId };
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const state = oauth.generateRandomState();
  const url = new URL(provider.authorizationEndpoint);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (loginHint) url.searchParams.set('login_hint', loginHint);
  for (const [name, value] of Object.entries(provider.authorizationParams)) url.searchParams.set(name, value);
  return {
    url: url.href,
    async finish(callback) {
      try {
        const params = oauth.validateAuthResponse(as, client, callback, state);
        const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth(provider.clientSecret), params, redirectUri, codeVerifier, requestOptions(provider.tokenEndpoint));
        const result = await oauth.processAuthorizationCodeResponse(as, client, response);
        if (!result.refresh_token) {
          throw new ConnectorError('protocol', `${provider.name} granted access without a refresh token, so Groundswell would have to ask again within the hour. Check the provider's scopes (offline access) and try again.`);
        }
        return tokensOf(result, result.refresh_token);
      } catch (error) {
        throw toGrantError(error, provider.name, 'sign-in');
      }
    },
  };
}

/** A fresh access token; a provider that rotates refresh tokens hands out a new one, kept from then on. */
export async function refreshTokens(settings: OAuthClientSettings, clientSecret: string | undefined, refreshToken: string): Promise<OAuthTokens> {
  const as = server(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth(clientSecret), refreshToken, requestOptions(settings.tokenEndpoint));
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    return tokensOf(result, result.refresh_token ?? refreshToken);
  } catch (error) {
    throw toGrantError(error, settings.providerName, 'refresh');
  }
}

/** Best effort: a removed account's grant should not outlive it. */
export async function revokeGrant(settings: OAuthClientSettings, clientSecret: string | undefined, refreshToken: string): Promise<void> {
  if (!settings.revocationEndpoint) return;
  const as = server(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const response = await oauth.revocationRequest(as, client, clientAuth(clientSecret), refreshToken, {
    ...requestOptions(settings.revocationEndpoint),
    additionalParameters: { token_type_hint: 'refresh_token' },
  });
  await oauth.processRevocationResponse(response);
}

function tokensOf(result: oauth.TokenEndpointResponse, refreshToken: string): OAuthTokens {
  return {
    accessToken: result.access_token,
    refreshToken,
    ...(typeof result.expires_in === 'number' ? { expiresAt: Date.now() + result.expires_in * 1000 } : {}),
  };
}

/** Provider text is shown, cut short and stripped of control characters: it is someone else's words. */
function reasonOf(error: string, description: string | undefined): string {
  const raw = description && description.trim() !== '' ? description : error;
  // The messages below put their own full stop after it.
  const text = [...raw].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('').replace(/ {2,}/g, ' ').trim().replace(/\.+$/, '');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function toGrantError(error: unknown, name: string, step: 'sign-in' | 'refresh'): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof oauth.AuthorizationResponseError) {
    const reason = reasonOf(error.error, error.error_description);
    if (error.error === 'access_denied') return new ConnectorError('auth-failed', `${name} did not grant access (${reason}). Sign in again and allow Groundswell to read your mail.`, { cause: error });
    return new ConnectorError('auth-failed', `${name} refused the sign-in: ${reason}.`, { cause: error });
  }
  if (error instanceof oauth.ResponseBodyError) {
    const reason = reasonOf(error.error, error.error_description);
    if (error.error === 'invalid_grant' && step === 'refresh') {
      return new ConnectorError('auth-failed', `Sign in again: ${name} no longer accepts this account's sign-in (${reason}).`, { cause: error });
    }
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
      return new ConnectorError('auth-failed', `${name} does not accept this Groundswell's client id (${reason}). Check the client id and secret in the preferences or the environment.`, { cause: error });
    }
    return new ConnectorError('auth-failed', `${name} refused the ${step === 'refresh' ? 'token refresh' : 'sign-in'}: ${reason}.`, { cause: error });
  }
  if (error instanceof oauth.OperationProcessingError) {
    return new ConnectorError('protocol', `${name} answered the ${step === 'refresh' ? 'token refresh' : 'sign-in'} in a way Groundswell cannot use (${error.message}).`, { cause: error });
  }
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return new ConnectorError('connection-failed', `${name}'s sign-in server ${timedOut ? 'did not answer in time' : 'could not be reached'}. Check your connection; Groundswell tries again.`, { cause: error });
}
