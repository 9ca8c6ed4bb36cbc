/**
 * A small OAuth2 authorization server for tests, on 127.0.0.1 on a free port, following the RFCs
 * rather than our client: the authorization code grant (RFC 6749 section 4.1) with PKCE required
 * and S256 checked (RFC 7636), the refresh token grant (section 6), revocation (RFC 7009) and
 * token introspection (RFC 7662), which Dovecot's oauth2 passdb asks. Its authorization page
 * approves at once for the user named by `login_hint` (or denies, when told to), so a plain HTTP
 * client following redirects plays the browser.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface OAuthTestClient {
  clientId: string;
  /** Set: a confidential client that must authenticate at the token endpoint (client_secret_post or basic). */
  clientSecret?: string;
}

interface Grant {
  id: string;
  clientId: string;
  user: string;
  scope: string;
  refreshToken: string;
  revoked: boolean;
  revokedReason?: string;
}

interface AccessToken {
  token: string;
  grant: Grant;
  expiresAt: number;
}

interface PendingCode {
  code: string;
  grantClient: string;
  user: string;
  scope: string;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
  used: boolean;
}

export interface OAuthTestServer {
  readonly url: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly revocationEndpoint: string;
  readonly introspectionEndpoint: string;
  /** For a resource server's introspection requests (Dovecot): basic auth with these. */
  readonly resourceServer: { user: string; password: string };
  /** Access tokens issued from now on live this long. */
  accessTokenLifetimeS: number;
  /** Every refresh hands out a new refresh token and retires the old one (as Microsoft does). */
  rotateRefreshTokens: boolean;
  /** The next authorization request is answered with error=access_denied. */
  denyNext: boolean;
  /** What happened, for assertions: grant types used at the token endpoint, in order. */
  readonly tokenRequests: string[];
  readonly introspections: number;
  /** Makes every access token issued so far expired (as if the time passed). */
  expireAccessTokens(): void;
  /** Revokes every grant of the user, as the provider's "remove access" page does. */
  revokeUser(user: string, reason?: string): void;
  /** The user a token belongs to while it is active. */
  activeUserOf(accessToken: string): string | undefined;
  close(): Promise<void>;
}

const token = () => randomBytes(24).toString('base64url');

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    // RFC 8252 section 7.3: loopback IP literal, http, any port.
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers }).end(JSON.stringify(body));
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description }, status === 401 ? { 'www-authenticate': 'Basic realm="token"' } : {});
}

function basicAuth(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decodeURIComponent(decoded.slice(0, colon)), password: decodeURIComponent(decoded.slice(colon + 1)) };
}

export async function startOAuthServer(options: { clients: OAuthTestClient[]; accessTokenLifetimeS?: number }): Promise<OAuthTestServer> {
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const codes = new Map<string, PendingCode>();
  const grantsByRefresh = new Map<string, Grant>();
  const accessTokens = new Map<string, AccessToken>();
  const sockets = new Set<Socket>();
  const resourceServer = { user: 'dovecot', password: token() };
  let introspections = 0;

  /** RFC 6749 section 2.3: a confidential client authenticates; a public one only names itself. */
  const authenticateClient = (req: IncomingMessage, form: URLSearchParams): OAuthTestClient | string => {
    const basic = basicAuth(req);
    const clientId = basic?.user ?? form.get('client_id') ?? '';
    const client = clients.get(clientId);
    if (!client) return 'unknown client';
    if (client.clientSecret !== undefined) {
      const given = basic?.password ?? form.get('client_secret');
      if (given !== client.clientSecret) return 'client authentication failed';
    }
    return client;
  };

  const issue = (grant: Grant) => {
    const access: AccessToken = { token: token(), grant, expiresAt: Date.now() + server.accessTokenLifetimeS * 1000 };
    accessTokens.set(access.token, access);
    return { access_token: access.token, token_type: 'Bearer', expires_in: server.accessTokenLifetimeS, refresh_token: grant.refreshToken, scope: grant.scope };
  };

  const authorize = (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    const client = clients.get(q.get('client_id') ?? '');
    const redirectUri = q.get('redirect_uri') ?? '';
    // Errors about the client or the redirect are shown here, never sent to an unchecked address (section 4.1.2.1).
    if (!client) return oauthError(res, 400, 'invalid_request', 'unknown client_id');
    if (!isLoopbackRedirect(redirectUri)) return oauthError(res, 400, 'invalid_request', 'redirect_uri must be a loopback address');
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.href }).end();
    };
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'only code' });
    const challenge = q.get('code_challenge');
    if (!challenge || q.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
    if (server.denyNext) {
      server.denyNext = false;
      return back({ error: 'access_denied', error_description: 'The user declined access.' });
    }
    const user = q.get('login_hint');
    if (!user) return back({ error: 'login_required', error_description: 'no login_hint to approve for' });
    const code = token();
    codes.set(code, { code, grantClient: client.clientId, user, scope: q.get('scope') ?? '', redirectUri, challenge, expiresAt: Date.now() + 60_000, used: false });
    back({ code });
  };

  const tokenEndpoint = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const grantType = form.get('grant_type') ?? '';
    server.tokenRequests.push(grantType);
    const client = authenticateClient(req, form);
    if (typeof client === 'string') return oauthError(res, 401, 'invalid_client', client);
    if (grantType === 'authorization_code') {
      const pending = codes.get(form.get('code') ?? '');
      if (!pending || pending.used || pending.expiresAt < Date.now() || pending.grantClient !== client.clientId) {
        return oauthError(res, 400, 'invalid_grant', 'The authorization code is invalid, expired or used.');
      }
      pending.used = true;
      if (form.get('redirect_uri') !== pending.redirectUri) return oauthError(res, 400, 'invalid_grant', 'redirect_uri does not match the authorization request');
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) {
        return oauthError(res, 400, 'invalid_grant', 'PKCE verification failed');
      }
      const grant: Grant = { id: token(), clientId: client.clientId, user: pending.user, scope: pending.scope, refreshToken: token(), revoked: false };
      grantsByRefresh.set(grant.refreshToken, grant);
      return json(res, 200, issue(grant));
    }
    if (grantType === 'refresh_token') {
      const grant = grantsByRefresh.get(form.get('refresh_token') ?? '');
      if (!grant || grant.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant', 'Unknown refresh token.');
      if (grant.revoked) return oauthError(res, 400, 'invalid_grant', grant.revokedReason ?? 'Token has been expired or revoked.');
      if (server.rotateRefreshTokens) {
        grantsByRefresh.delete(grant.refreshToken);
        grant.refreshToken = token();
        grantsByRefresh.set(grant.refreshToken, grant);
      }
      return json(res, 200, issue(grant));
    }
    return oauthError(res, 400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  };

  /** RFC 7009: revoking a refresh token ends its grant and every access token issued from it. */
  const revoke = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const client = authenticateClient(req, form);
    if (typeof client === 'string') return oauthError(res, 401, 'invalid_client', client);
    const value = form.get('token') ?? '';
    const grant = grantsByRefresh.get(value) ?? accessTokens.get(value)?.grant;
    if (grant && grant.clientId === client.clientId) {
      grant.revoked = true;
      grant.revokedReason = 'Token has been revoked.';
    }
    res.writeHead(200).end();
  };

  /** RFC 7662: only an authenticated resource server may ask. */
  const introspect = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const auth = basicAuth(req);
    if (!auth || auth.user !== resourceServer.user || auth.password !== resourceServer.password) return oauthError(res, 401, 'invalid_client', 'resource server authentication required');
    introspections++;
    const access = accessTokens.get(form.get('token') ?? '');
    if (!access || access.grant.revoked || access.expiresAt <= Date.now()) return json(res, 200, { active: false });
    json(res, 200, {
      active: true,
      scope: access.grant.scope,
      client_id: access.grant.clientId,
      username: access.grant.user,
      token_type: 'Bearer',
      exp: Math.floor(access.expiresAt / 1000),
      sub: access.grant.user,
    });
  };

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    const done = (work: Promise<void> | void) => void Promise.resolve(work).catch(() => oauthError(res, 500, 'server_error', 'test server failure'));
    if (route === 'GET /authorize') return done(authorize(url, res));
    if (route === 'POST /token') return done(tokenEndpoint(req, res));
    if (route === 'POST /revoke') return done(revoke(req, res));
    if (route === 'POST /introspect') return done(introspect(req, res));
    json(res, 404, { error: 'not_found' });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address === 'string') throw new Error('the OAuth test server has no port');
  const base = `http://127.0.0.1:${address.port}`;

  const server: OAuthTestServer = {
    url: base,
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    revocationEndpoint: `${base}/revoke`,
    introspectionEndpoint: `${base}/introspect`,
    resourceServer,
    accessTokenLifetimeS: options.accessTokenLifetimeS ?? 3600,
    rotateRefreshTokens: false,
    denyNext: false,
    tokenRequests: [],
    get introspections() {
      return introspections;
    },
    expireAccessTokens() {
      for (const access of accessTokens.values()) access.expiresAt = Date.now() - 1;
    },
    revokeUser(user, reason) {
      for (const grant of grantsByRefresh.values()) {
        if (grant.user !== user) continue;
        grant.revoked = true;
        grant.revokedReason = reason ?? 'Token has been expired or revoked.';
      }
    },
    activeUserOf(accessToken) {
      const access = accessTokens.get(accessToken);
      return access && !access.grant.revoked && access.expiresAt > Date.now() ? access.grant.user : undefined;
    },
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return server;
}
