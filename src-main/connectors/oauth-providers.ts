/**
 * The OAuth2 providers mail can sign in with: Google and Microsoft built in (endpoints, scopes,
 * servers), each given its client id by the distribution (environment) or the user (preferences),
 * and any other identity provider described whole in the preferences.
 */
import type { ImapSecurity } from '../../src-shared/domain.ts';
import type { OAuthProviderSetting } from '../../src-shared/preferences.ts';
import { InputError } from '../common/input.ts';

export interface MailServer {
  host: string;
  port: number;
  security: ImapSecurity;
}

/** A provider as sign-in uses it: everything known, the client id possibly still missing. */
export interface OAuthProvider {
  id: string;
  name: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  scopes: string[];
  /** Sent with the authorization request (Google hands out a refresh token only when asked). */
  authorizationParams: Record<string, string>;
  clientId?: string;
  clientSecret?: string;
  imap?: MailServer;
  smtp?: MailServer;
}

export const BUILT_IN_PROVIDERS: readonly OAuthProvider[] = Object.freeze<OAuthProvider[]>([
  {
    id: 'google',
    name: 'Google',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
    // One scope covers IMAP and SMTP (https://developers.google.com/gmail/imap/xoauth2-protocol).
    scopes: ['https://mail.google.com/'],
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
  },
  {
    id: 'microsoft',
    name: 'Microsoft 365',
    authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
    authorizationParams: {},
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
  },
]);

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** `GROUNDSWELL_OAUTH_GOOGLE_CLIENT_ID`, `…_CLIENT_SECRET`: how a distribution ships its client. */
export function environmentName(providerId: string, what: 'CLIENT_ID' | 'CLIENT_SECRET'): string {
  return `GROUNDSWELL_OAUTH_${providerId.toUpperCase().replace(/-/g, '_')}_${what}`;
}

/**
 * The providers this Groundswell offers: the built-in ones and those the preferences add, with the
 * client from the preferences, else from the environment. A provider without a client id is still
 * listed, so the user is told how to give one instead of not seeing it at all.
 */
export function resolveProviders(settings: readonly OAuthProviderSetting[], env: NodeJS.ProcessEnv = process.env): OAuthProvider[] {
  const byId = new Map<string, OAuthProvider>(BUILT_IN_PROVIDERS.map((p) => [p.id, { ...p }]));
  for (const setting of settings) {
    const base = byId.get(setting.id);
    const merged = base ? withSetting(base, setting) : fromSetting(setting);
    if (merged) byId.set(setting.id, merged);
  }
  for (const provider of byId.values()) {
    provider.clientId ??= nonEmpty(env[environmentName(provider.id, 'CLIENT_ID')]);
    provider.clientSecret ??= nonEmpty(env[environmentName(provider.id, 'CLIENT_SECRET')]);
  }
  return [...byId.values()];
}

/** The provider to sign in with, or an error that says how to make it usable. */
export function providerFor(providers: readonly OAuthProvider[], id: string): OAuthProvider & { clientId: string } {
  const provider = providers.find((p) => p.id === id);
  if (!provider) {
    throw new InputError(`There is no OAuth2 provider "${id}". Choose ${providers.map((p) => p.id).join(', ')}, or add one in the preferences (oauthProviders).`, 'oauthProvider');
  }
  if (!provider.clientId) {
    throw new InputError(
      `Signing in with ${provider.name} needs this Groundswell's OAuth2 client id, which is not set. ` +
        `Set ${environmentName(provider.id, 'CLIENT_ID')} (and ${environmentName(provider.id, 'CLIENT_SECRET')} where the provider requires one), ` +
        `or add {"id": "${provider.id}", "clientId": "…"} to the oauthProviders preference.`,
      'oauthProvider',
    );
  }
  return provider as OAuthProvider & { clientId: string };
}

/**
 * The provider whose mail server this is (imap.gmail.com → google): for account setup that found
 * the server first (autoconfig says `OAuth2`) and needs to know whom to sign in with.
 */
export function providerForMailHost(providers: readonly OAuthProvider[], host: string): OAuthProvider | undefined {
  const wanted = host.trim().toLowerCase().replace(/\.$/, '');
  return providers.find((p) => p.imap?.host === wanted || p.smtp?.host === wanted);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function withSetting(base: OAuthProvider, s: OAuthProviderSetting): OAuthProvider {
  return {
    ...base,
    ...(s.name ? { name: s.name } : {}),
    ...(s.clientId ? { clientId: s.clientId } : {}),
    ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}),
    ...(s.authorizationEndpoint ? { authorizationEndpoint: s.authorizationEndpoint } : {}),
    ...(s.tokenEndpoint ? { tokenEndpoint: s.tokenEndpoint } : {}),
    ...(s.revocationEndpoint ? { revocationEndpoint: s.revocationEndpoint } : {}),
    ...(s.scopes && s.scopes.length > 0 ? { scopes: [...s.scopes] } : {}),
    ...(serverOf(s.imapHost, s.imapPort, s.imapSecurity, 993) ? { imap: serverOf(s.imapHost, s.imapPort, s.imapSecurity, 993) } : {}),
    ...(serverOf(s.smtpHost, s.smtpPort, s.smtpSecurity, 465) ? { smtp: serverOf(s.smtpHost, s.smtpPort, s.smtpSecurity, 465) } : {}),
  };
}

function fromSetting(s: OAuthProviderSetting): OAuthProvider | undefined {
  if (!s.authorizationEndpoint || !s.tokenEndpoint || !s.scopes || s.scopes.length === 0) return undefined;
  const imap = serverOf(s.imapHost, s.imapPort, s.imapSecurity, 993);
  const smtp = serverOf(s.smtpHost, s.smtpPort, s.smtpSecurity, 465);
  return {
    id: s.id,
    name: s.name ?? s.id,
    authorizationEndpoint: s.authorizationEndpoint,
    tokenEndpoint: s.tokenEndpoint,
    ...(s.revocationEndpoint ? { revocationEndpoint: s.revocationEndpoint } : {}),
    scopes: [...s.scopes],
    authorizationParams: {},
    ...(s.clientId ? { clientId: s.clientId } : {}),
    ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}),
    ...(imap ? { imap } : {}),
    ...(smtp ? { smtp } : {}),
  };
}

function serverOf(host: string | undefined, port: number | undefined, security: ImapSecurity | undefined, tlsPort: number): MailServer | undefined {
  if (!host) return undefined;
  const sec = security ?? 'tls';
  return { host, port: port ?? (sec === 'tls' ? tlsPort : sec === 'starttls' ? (tlsPort === 993 ? 143 : 587) : tlsPort === 993 ? 143 : 25), security: sec };
}

/** An endpoint must be https (plain http only to this computer, where a test server runs). */
function endpoint(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 2000) throw new InputError(`${field} must be an https:// address.`, field);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`${field} must be an https:// address.`, field);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new InputError(`${field} must use https:// (plain http only to this computer).`, field);
  }
  return url.href;
}

function optionalText(value: unknown, field: string, max = 2000): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new InputError(`${field} must be text of at most ${max} characters.`, field);
  return value.trim() === '' ? undefined : value.trim();
}

function optionalPort(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw new InputError(`${field} must be a port from 1 to 65535.`, field);
  return value;
}

function optionalSecurity(value: unknown, field: string): ImapSecurity | undefined {
  if (value === undefined) return undefined;
  if (value !== 'tls' && value !== 'starttls' && value !== 'plain') throw new InputError(`${field} must be tls, starttls or plain.`, field);
  return value;
}

const SETTING_KEYS = new Set([
  'id', 'name', 'clientId', 'clientSecret', 'authorizationEndpoint', 'tokenEndpoint', 'revocationEndpoint', 'scopes',
  'imapHost', 'imapPort', 'imapSecurity', 'smtpHost', 'smtpPort', 'smtpSecurity',
]);

/** Checks the `oauthProviders` preference entry by entry, naming what is wrong. */
export function parseProviderSettings(value: unknown): OAuthProviderSetting[] {
  if (!Array.isArray(value) || value.length > 50) throw new InputError('oauthProviders must be a list of at most 50 provider entries.', 'oauthProviders');
  const seen = new Set<string>();
  return value.map((raw, index) => {
    const where = `oauthProviders[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${where} must be an object with an id.`, 'oauthProviders');
    const entry = raw as Record<string, unknown>;
    const unknown = Object.keys(entry).find((key) => !SETTING_KEYS.has(key));
    if (unknown) throw new InputError(`${where} has no "${unknown}"; it takes ${[...SETTING_KEYS].join(', ')}.`, 'oauthProviders');
    const id = entry['id'];
    if (typeof id !== 'string' || !ID.test(id)) throw new InputError(`${where}.id must be a short lower-case name such as "google" or "example-sso".`, 'oauthProviders');
    if (seen.has(id)) throw new InputError(`${where}: "${id}" is listed twice.`, 'oauthProviders');
    seen.add(id);
    const scopes = entry['scopes'];
    if (scopes !== undefined && (!Array.isArray(scopes) || scopes.length > 20 || scopes.some((s) => typeof s !== 'string' || s === '' || s.length > 500 || /\s/.test(s)))) {
      throw new InputError(`${where}.scopes must be a list of scope names without spaces.`, 'oauthProviders');
    }
    const setting: OAuthProviderSetting = { id };
    const assign = <K extends keyof OAuthProviderSetting>(key: K, v: OAuthProviderSetting[K] | undefined) => {
      if (v !== undefined) setting[key] = v;
    };
    assign('name', optionalText(entry['name'], `${where}.name`, 100));
    assign('clientId', optionalText(entry['clientId'], `${where}.clientId`));
    assign('clientSecret', optionalText(entry['clientSecret'], `${where}.clientSecret`));
    assign('authorizationEndpoint', endpoint(entry['authorizationEndpoint'], `${where}.authorizationEndpoint`));
    assign('tokenEndpoint', endpoint(entry['tokenEndpoint'], `${where}.tokenEndpoint`));
    assign('revocationEndpoint', endpoint(entry['revocationEndpoint'], `${where}.revocationEndpoint`));
    assign('scopes', scopes as string[] | undefined);
    assign('imapHost', optionalText(entry['imapHost'], `${where}.imapHost`, 253));
    assign('imapPort', optionalPort(entry['imapPort'], `${where}.imapPort`));
    assign('imapSecurity', optionalSecurity(entry['imapSecurity'], `${where}.imapSecurity`));
    assign('smtpHost', optionalText(entry['smtpHost'], `${where}.smtpHost`, 253));
    assign('smtpPort', optionalPort(entry['smtpPort'], `${where}.smtpPort`));
    assign('smtpSecurity', optionalSecurity(entry['smtpSecurity'], `${where}.smtpSecurity`));
    const builtIn = BUILT_IN_PROVIDERS.some((p) => p.id === id);
    if (!builtIn && (!setting.authorizationEndpoint || !setting.tokenEndpoint || !setting.scopes?.length)) {
      throw new InputError(`${where}: a provider other than ${BUILT_IN_PROVIDERS.map((p) => p.id).join(' or ')} needs authorizationEndpoint, tokenEndpoint and scopes.`, 'oauthProviders');
    }
    return setting;
  });
}
