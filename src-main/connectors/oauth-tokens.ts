/**
 * The access token of an account that signs in with OAuth2, for every protocol of the account
 * (IMAP now, SMTP through nodemailer's OAuth2 transport): read from the keychain secret, refreshed
 * shortly before it expires and again when a server turns it down, the new tokens written back.
 */
import { ConnectorError } from './connector.ts';
import type { OAuthClientSettings, OAuthTokens } from './oauth-grant.ts';

/** What the keychain keeps for an OAuth2 account (as JSON): the grant, never a password. */
export interface OAuthSecret extends OAuthTokens {
  /** The desktop client's secret where the provider requires one (Google): kept with the grant it belongs to. */
  clientSecret?: string;
}

/** Refreshed when less than this is left, so a login never starts with a token about to lapse. */
export const REFRESH_MARGIN_MS = 2 * 60_000;

export function parseOAuthSecret(secret: string): OAuthSecret {
  try {
    const value = JSON.parse(secret) as Partial<OAuthSecret> & { v?: unknown };
    if (typeof value.refreshToken === 'string' && value.refreshToken !== '' && typeof value.accessToken === 'string') {
      return {
        accessToken: value.accessToken,
        refreshToken: value.refreshToken,
        ...(typeof value.expiresAt === 'number' ? { expiresAt: value.expiresAt } : {}),
        ...(typeof value.clientSecret === 'string' && value.clientSecret !== '' ? { clientSecret: value.clientSecret } : {}),
      };
    }
  } catch {
    // Below: an entry that is not ours.
  }
  throw new ConnectorError('auth-failed', 'Sign in again: the saved sign-in of this account is unreadable.');
}

export function serializeOAuthSecret(secret: OAuthSecret): string {
  return JSON.stringify({ v: 1, ...secret });
}

export interface TokenSourceOptions {
  client: OAuthClientSettings;
  readSecret(): Promise<string>;
  writeSecret(secret: string): Promise<void>;
  now?: () => number;
}

/** The shape nodemailer's OAuth2 `provisionCallback` answers with. */
export interface ProvisionedToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expires?: number;
}

export class OAuthTokenSource {
  readonly #o: TokenSourceOptions;
  #current: OAuthSecret | undefined;
  #refreshing: Promise<OAuthSecret> | undefined;
  /** The token a server last turned down: asking for a fresh one while it is current refreshes. */
  #rejected: string | undefined;

  constructor(options: TokenSourceOptions) {
    this.#o = options;
  }

  get providerName(): string {
    return this.#o.client.providerName;
  }

  /** A token with time left on it: the saved one, or a new one when it is about to expire. */
  async accessToken(): Promise<string> {
    const current = this.#current ?? (this.#current = parseOAuthSecret(await this.#o.readSecret()));
    const now = (this.#o.now ?? Date.now)();
    const fresh = current.expiresAt === undefined || current.expiresAt - REFRESH_MARGIN_MS > now;
    if (fresh && current.accessToken !== '' && current.accessToken !== this.#rejected) return current.accessToken;
    return (await this.refresh()).accessToken;
  }

  /** A server refused `token` (expired early, revoked elsewhere): the next `accessToken()` refreshes. */
  rejected(token: string): void {
    this.#rejected = token;
  }

  /** Refreshes now (one refresh at a time, however many connections ask). Throws auth-failed when the grant is gone. */
  refresh(): Promise<OAuthSecret> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /**
   * For nodemailer: `transporter.set('oauth2_provision_cb', (user, renew, cb) => …)` with this, so
   * SMTP uses the same tokens, refreshed the same way (renew: SMTP turned the token down).
   */
  async provision(renew: boolean): Promise<ProvisionedToken> {
    if (renew) {
      this.#current ??= parseOAuthSecret(await this.#o.readSecret());
      this.rejected(this.#current.accessToken);
    }
    const accessToken = await this.accessToken();
    const expires = this.#current?.expiresAt;
    return { accessToken, ...(expires !== undefined ? { expires } : {}) };
  }

  async #refresh(): Promise<OAuthSecret> {
    const saved = this.#current ?? parseOAuthSecret(await this.#o.readSecret());
    // The OAuth client loads when a token is first refreshed, not with every mail account.
    const { refreshTokens } = await import('./oauth-grant.ts');
    const tokens = await refreshTokens(this.#o.client, saved.clientSecret, saved.refreshToken);
    const next: OAuthSecret = { ...tokens, ...(saved.clientSecret ? { clientSecret: saved.clientSecret } : {}) };
    this.#current = next;
    this.#rejected = undefined;
    // A rotated refresh token must survive a restart, or the next start signs in with a dead one.
    await this.#o.writeSecret(serializeOAuthSecret(next));
    return next;
  }
}

/**
 * nodemailer's OAuth2 transport asks for tokens through a callback set with
 * `transporter.set('oauth2_provision_cb', nodemailerProvisioner(tokens))`: SMTP then uses the
 * account's own tokens, refreshed the same way (`renew`: the SMTP server turned the last one down).
 */
export function nodemailerProvisioner(tokens: OAuthTokenSource) {
  return (_user: string, renew: boolean, callback: (error: Error | null, accessToken?: string, expires?: number) => void): void => {
    tokens.provision(renew).then(
      (token) => callback(null, token.accessToken, token.expires),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  };
}
