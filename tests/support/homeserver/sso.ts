/**
 * Single sign-on as the client-server spec describes it (Login → SSO client login): the login
 * flows list m.login.sso with its identity providers and m.login.token; /login/sso/redirect[/idpId]
 * sends the browser to the identity provider, which sends it back to the client's redirectUrl with
 * a short-lived, single-use loginToken; POST /login exchanges that for a session. The identity
 * provider here is a page of this server that approves at once as the user a test names.
 */
import { MatrixError, missingParam } from './errors.ts';
import { openRoute, CLIENT, type Reply, type Route } from './router.ts';
import { randomId, type HomeserverState } from './state.ts';

export interface IdentityProvider {
  id: string;
  name: string;
  /** An mxc:// URI of the icon, in the server's media store. */
  icon?: string;
  brand?: string;
}

/** Login tokens live this long, as Synapse's default (2 minutes). */
const LOGIN_TOKEN_LIFETIME_MS = 2 * 60_000;

export class SsoState {
  readonly identityProviders: IdentityProvider[] = [];
  /** The localpart the identity provider signs in as (the user is made on first sign-in, as SSO servers do). */
  approveAs: string | undefined;
  readonly loginTokens = new Map<string, { userId: string; expiresAt: number }>();

  get enabled(): boolean {
    return this.identityProviders.length > 0;
  }

  /** The user a login token stands for, once: used, expired or unknown tokens stand for no one. */
  redeem(token: string): string | undefined {
    const entry = this.loginTokens.get(token);
    this.loginTokens.delete(token);
    return entry && entry.expiresAt > Date.now() ? entry.userId : undefined;
  }
}

const IDP_PAGE = '/_test_idp/{idpId}/authorize';

function redirectUrlOf(query: URLSearchParams): string {
  const redirectUrl = query.get('redirectUrl');
  if (!redirectUrl) throw missingParam('redirectUrl');
  try {
    new URL(redirectUrl);
  } catch {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'redirectUrl is not a URL');
  }
  return redirectUrl;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function toIdentityProvider(hs: HomeserverState, idpId: string, redirectUrl: string) {
  if (!hs.sso.identityProviders.some((idp) => idp.id === idpId)) throw new MatrixError(404, 'M_NOT_FOUND', 'Unknown identity provider');
  const target = `${IDP_PAGE.replace('{idpId}', encodeURIComponent(idpId))}?redirectUrl=${encodeURIComponent(redirectUrl)}`;
  return { status: 302, bytes: Buffer.alloc(0), headers: { location: target } };
}

export const ssoRoutes: Route[] = [
  openRoute('GET', `${CLIENT}/login/sso/redirect`, (ctx) => {
    const redirectUrl = redirectUrlOf(ctx.query);
    const idps = ctx.hs.sso.identityProviders;
    if (idps.length === 0) throw new MatrixError(400, 'M_UNRECOGNIZED', 'SSO is not enabled on this homeserver');
    if (idps.length === 1) return toIdentityProvider(ctx.hs, idps[0]!.id, redirectUrl);
    // Several: the server lets the user pick, as Synapse's picker page does.
    const links = idps
      .map((idp) => `<li><a href="/_matrix/client/v3/login/sso/redirect/${encodeURIComponent(idp.id)}?redirectUrl=${encodeURIComponent(redirectUrl)}">${escapeHtml(idp.name)}</a></li>`)
      .join('');
    return { bytes: Buffer.from(`<!doctype html><title>Choose an identity provider</title><ul>${links}</ul>`), headers: { 'content-type': 'text/html; charset=utf-8' } };
  }),
  openRoute('GET', `${CLIENT}/login/sso/redirect/{idpId}`, (ctx) => toIdentityProvider(ctx.hs, decodeURIComponent(ctx.params.idpId ?? ''), redirectUrlOf(ctx.query))),
  // The identity provider's page: approves at once and sends the browser back with a login token.
  openRoute('GET', IDP_PAGE, (ctx): Reply => {
    const redirectUrl = redirectUrlOf(ctx.query);
    const localpart = ctx.hs.sso.approveAs;
    if (!localpart) return { status: 403, bytes: Buffer.from('<!doctype html><title>Denied</title><p>No one to sign in as.</p>'), headers: { 'content-type': 'text/html' } };
    const userId = ctx.hs.userIdFor(localpart);
    if (!ctx.hs.users.has(userId)) ctx.hs.createUser(localpart, randomId(24));
    const loginToken = randomId(32);
    ctx.hs.sso.loginTokens.set(loginToken, { userId, expiresAt: Date.now() + LOGIN_TOKEN_LIFETIME_MS });
    const back = new URL(redirectUrl);
    back.searchParams.set('loginToken', loginToken);
    return { status: 302, bytes: Buffer.alloc(0), headers: { location: back.href } };
  }),
];
