/**
 * IMAP mail as a connector kind: its account input, stored settings and changes. Light on purpose:
 * imapflow and mailparser load only when an account of this kind is checked or started.
 */
import type { ImapOAuthSettings, ImapSecurity, ImapSettings } from '../../../src-shared/domain.ts';
import { choice, displayName, hostName, InputError, integer, onlyKeys, record, refusePlaintextOffMachine, text } from '../../common/input.ts';
import { SettingsTooNewError } from '../kind.ts';
import { applySmtpChanges, decodeSmtp, draftSmtp, SMTP_INPUT_KEYS, SMTP_SECRET, SMTP_SECURITIES } from './smtp-settings.ts';
import type { ConnectorKind } from '../kind.ts';
import type { AutoconfigEnvironment } from './autoconfig/discover.ts';
import { mailBrowserSignIn, parseMailGrant } from './oauth-sign-in.ts';

const SECURITIES: readonly ImapSecurity[] = ['tls', 'starttls', 'plain'];
const SECURITY_MESSAGE = 'Security must be TLS, STARTTLS or none.';
/** 2: the sending side (smtp, address, fromName); version 1 settings read as an account that only receives. */
const SETTINGS_VERSION = 2;
const DEFAULTS = { syncWindowDays: 30, syncMaxMessages: 2000 };

const SETTINGS_FIELDS = ['host', 'port', 'security', 'user', 'syncWindowDays', 'syncMaxMessages', ...SMTP_INPUT_KEYS] as const;

function defaultPort(security: ImapSecurity): number {
  return security === 'tls' ? 993 : 143;
}

function syncWindowDays(value: unknown, fallback?: number): number {
  return integer(value, 'syncWindowDays', 'Sync window', 1, 3650, fallback);
}

function syncMaxMessages(value: unknown, fallback?: number): number {
  return integer(value, 'syncMaxMessages', 'Maximum messages', 1, 100_000, fallback);
}

/** The connection settings together, so a change is checked the way an add is. */
function checkConnection(settings: ImapSettings): void {
  refusePlaintextOffMachine(settings.security, settings.host);
}

/** The add-account input's grant, from a browser sign-in with `provider`. */
function grantOf(input: Record<string, unknown>, provider: string) {
  if (typeof input['grant'] !== 'string') {
    throw new InputError(`Sign in with ${provider} in the browser first (signIn.start), then add the account with its signInId.`, 'oauthProvider');
  }
  const grant = parseMailGrant(input['grant']);
  if (provider && grant.client.provider !== provider) throw new InputError(`That sign-in was with ${grant.client.providerName}, not ${provider}. Sign in again.`, 'oauthProvider');
  return grant;
}

function decodeOAuth(value: unknown): ImapOAuthSettings | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o['provider'] !== 'string' || typeof o['tokenEndpoint'] !== 'string' || typeof o['clientId'] !== 'string') return undefined;
  return {
    provider: o['provider'],
    providerName: typeof o['providerName'] === 'string' ? o['providerName'] : o['provider'],
    tokenEndpoint: o['tokenEndpoint'],
    ...(typeof o['revocationEndpoint'] === 'string' ? { revocationEndpoint: o['revocationEndpoint'] } : {}),
    clientId: o['clientId'],
  };
}

export const imapKind: ConnectorKind<ImapSettings> = {
  kind: 'imap',
  source: 'mail',
  label: 'IMAP mail',
  description: 'Any mail provider that offers IMAP',
  settingsVersion: SETTINGS_VERSION,
  capabilities: ['triage', 'mail', 'autoconfig'],
  fields: [
    { name: 'host', label: 'Server', type: 'text', required: true, flag: 'host', placeholder: 'imap.example.com', changeable: true },
    { name: 'security', label: 'Security', type: 'choice', required: false, flag: 'security', choices: SECURITIES, help: 'tls (default), starttls, or plain (this computer only)', changeable: true },
    { name: 'port', label: 'Port', type: 'number', required: false, flag: 'port', help: '993 for TLS, 143 otherwise', changeable: true },
    { name: 'user', label: 'User name', type: 'text', required: true, flag: 'user', changeable: true },
    { name: 'password', label: 'Password', type: 'secret', required: true, flag: 'password', changeable: false },
    {
      name: 'oauthProvider', label: 'Sign in with', type: 'text', required: false, flag: 'oauth', changeable: false, browserSignIn: 'value',
      help: 'google, microsoft or a provider from the preferences: sign in in the browser (OAuth2) instead of a password',
    },
    { name: 'syncWindowDays', label: 'Sync window (days)', type: 'number', required: false, flag: 'window-days', changeable: true },
    { name: 'syncMaxMessages', label: 'Maximum messages', type: 'number', required: false, flag: 'max-messages', changeable: true },
    { name: 'address', label: 'Your address', type: 'text', required: false, flag: 'address', placeholder: 'ann@example.com', help: 'the From of mail you send; the user name when it is an address', changeable: true },
    { name: 'fromName', label: 'Your name', type: 'text', required: false, flag: 'from-name', help: 'shown beside your address', changeable: true },
    { name: 'smtpHost', label: 'Outgoing server (SMTP)', type: 'text', required: false, flag: 'smtp-host', placeholder: 'smtp.example.com', help: 'without it the account only receives', changeable: true },
    { name: 'smtpSecurity', label: 'SMTP security', type: 'choice', required: false, flag: 'smtp-security', choices: SMTP_SECURITIES, help: 'tls (default, port 465), starttls (587), or plain (this computer only)', changeable: true },
    { name: 'smtpPort', label: 'SMTP port', type: 'number', required: false, flag: 'smtp-port', help: '465 for TLS, 587 for STARTTLS', changeable: true },
    { name: 'smtpUser', label: 'SMTP user name', type: 'text', required: false, flag: 'smtp-user', help: 'the IMAP user name unless given', changeable: true },
    { name: 'smtpPassword', label: 'SMTP password', type: 'secret', required: false, flag: 'smtp-password', help: 'the IMAP password unless given', changeable: true },
  ],
  extraSecretNames: [SMTP_SECRET],

  draft(raw) {
    const input = record(raw, 'the account');
    const oauthProvider = text(input['oauthProvider'], 'oauthProvider', 'Sign-in provider', { max: 40, optional: true });
    // Signing in with a provider: its grant names the client and the provider's IMAP server, which typed fields override.
    // (A grant alone names its provider: mail autoconfig starts the sign-in from the server it found.)
    const grant = oauthProvider || input['grant'] !== undefined ? grantOf(input, oauthProvider) : undefined;
    const server = grant?.imap;
    const host = hostName(input['host'] ?? server?.host, 'host', 'Server', 'imap.example.com');
    const security = choice(input['security'] ?? (input['host'] === undefined ? server?.security : undefined) ?? 'tls', 'security', SECURITIES, SECURITY_MESSAGE);
    const settings: ImapSettings = {
      host,
      port: integer(input['port'], 'port', 'Port', 1, 65535, input['host'] === undefined && server ? server.port : defaultPort(security)),
      security,
      user: text(input['user'], 'user', 'User name', { max: 320 }).trim(),
      syncWindowDays: syncWindowDays(input['syncWindowDays'], DEFAULTS.syncWindowDays),
      syncMaxMessages: syncMaxMessages(input['syncMaxMessages'], DEFAULTS.syncMaxMessages),
      ...(grant ? { oauth: grant.client } : {}),
    };
    const sending = draftSmtp(input);
    if (sending.smtp) settings.smtp = sending.smtp;
    if (sending.address !== undefined) settings.address = sending.address;
    if (sending.fromName !== undefined) settings.fromName = sending.fromName;
    checkConnection(settings);
    const name = displayName(input, 'Display name') || `${settings.user} on ${host}`;
    const extraSecrets = sending.smtpPassword !== undefined ? { extraSecrets: { [SMTP_SECRET]: sending.smtpPassword } } : {};
    if (grant) {
      if (input['password'] !== undefined && input['password'] !== '') throw new InputError('Give either a password or a sign-in provider, not both.', 'password');
      return { displayName: name, settings, secret: undefined, grant: input['grant'] as string, ...extraSecrets };
    }
    const password = text(input['password'], 'password', 'Password', { max: 4096 });
    return { displayName: name, settings, secret: password, ...extraSecrets };
  },

  identity: (settings) => `${settings.user.toLowerCase()}@${settings.host}:${settings.port}`,
  duplicate: (name) => ({ message: `This mailbox is already here as "${name}".`, field: 'user' }),

  decodeSettings(stored, version) {
    if (version > SETTINGS_VERSION) throw new SettingsTooNewError('IMAP', version);
    const s = record(stored, 'the stored IMAP settings');
    const security = SECURITIES.includes(s['security'] as ImapSecurity) ? (s['security'] as ImapSecurity) : 'tls';
    const smtp = decodeSmtp(s['smtp']);
    return {
      ...(smtp ? { smtp } : {}),
      ...(typeof s['address'] === 'string' && s['address'] !== '' ? { address: s['address'] } : {}),
      ...(typeof s['fromName'] === 'string' && s['fromName'] !== '' ? { fromName: s['fromName'] } : {}),
      host: String(s['host'] ?? ''),
      port: typeof s['port'] === 'number' ? s['port'] : defaultPort(security),
      security,
      user: String(s['user'] ?? ''),
      syncWindowDays: typeof s['syncWindowDays'] === 'number' ? s['syncWindowDays'] : DEFAULTS.syncWindowDays,
      syncMaxMessages: typeof s['syncMaxMessages'] === 'number' ? s['syncMaxMessages'] : DEFAULTS.syncMaxMessages,
      ...(decodeOAuth(s['oauth']) ? { oauth: decodeOAuth(s['oauth']) } : {}),
    };
  },

  applyChanges(settings, changes) {
    onlyKeys(changes, SETTINGS_FIELDS, 'An IMAP account');
    const next: ImapSettings = { ...settings };
    if (changes['host'] !== undefined) next.host = hostName(changes['host'], 'host', 'Server', 'imap.example.com');
    if (changes['security'] !== undefined) next.security = choice(changes['security'], 'security', SECURITIES, SECURITY_MESSAGE);
    if (changes['port'] !== undefined) next.port = integer(changes['port'], 'port', 'Port', 1, 65535);
    // A new security with no port given moves off the old default port, as adding the account would.
    else if (next.security !== settings.security && settings.port === defaultPort(settings.security)) next.port = defaultPort(next.security);
    if (changes['user'] !== undefined) next.user = text(changes['user'], 'user', 'User name', { max: 320 }).trim();
    if (changes['syncWindowDays'] !== undefined) next.syncWindowDays = syncWindowDays(changes['syncWindowDays']);
    if (changes['syncMaxMessages'] !== undefined) next.syncMaxMessages = syncMaxMessages(changes['syncMaxMessages']);
    const sending = applySmtpChanges(next, changes);
    checkConnection(sending.settings);
    const recheck =
      sending.changed || next.host !== settings.host || next.port !== settings.port || next.security !== settings.security || next.user !== settings.user;
    // An SMTP password given as '' (or sending turned off) goes back to the IMAP one: its own entry is deleted.
    const extraSecrets = sending.smtpPassword !== undefined ? { [SMTP_SECRET]: sending.smtpPassword } : sending.changed && !sending.settings.smtp?.ownPassword ? { [SMTP_SECRET]: '' } : undefined;
    return { settings: sending.settings, recheck, ...(extraSecrets ? { extraSecrets } : {}) };
  },

  describe: (account) => {
    const { user, host, port, smtp, oauth } = account.settings;
    return `${user}@${host}:${port}${oauth ? ` (signs in with ${oauth.providerName})` : ''}${smtp ? `, sending through ${smtp.host}:${smtp.port}` : ''}`;
  },
  signsIn: () => true,
  browserSignIn: mailBrowserSignIn,

  async verify(account, secret, _previous, extraSecrets) {
    const { verifyMailSignIn } = await import('./verify-login.ts');
    if (account.settings.oauth && secret === undefined) throw new InputError('Sign in with the provider in the browser first.', 'oauthProvider');
    const kept = await verifyMailSignIn(account.settings, secret ?? '');
    const smtp = account.settings.smtp;
    if (smtp) {
      // The SMTP login is the IMAP one (a password, or the OAuth2 access token just used) unless it has a password of its own.
      const [{ verifySmtp }, { parseOAuthSecret }] = await Promise.all([import('./send/smtp-transport.ts'), import('../oauth-tokens.ts')]);
      const credential = smtp.ownPassword
        ? { password: extraSecrets?.[SMTP_SECRET] ?? '' }
        : account.settings.oauth
          ? { accessToken: parseOAuthSecret(kept).accessToken }
          : { password: kept };
      await verifySmtp(account.settings, credential);
    }
    return { account, secret: kept, ...(extraSecrets ? { extraSecrets } : {}) };
  },

  /** A removed account's OAuth2 grant is revoked where the provider has a revocation endpoint (RFC 7009). */
  async forget(account, secret) {
    const oauth = account.settings.oauth;
    if (!oauth?.revocationEndpoint) return;
    const [{ revokeGrant }, { parseOAuthSecret }] = await Promise.all([import('../oauth-grant.ts'), import('../oauth-tokens.ts')]);
    const tokens = parseOAuthSecret(secret);
    await revokeGrant(oauth, tokens.clientSecret, tokens.refreshToken);
  },

  async create(ctx) {
    const { createImapConnector } = await import('./imap-connector.ts');
    return createImapConnector(ctx);
  },

  async autoconfig(email, password) {
    const { discoverMailSettings } = await import('./autoconfig/discover.ts');
    return discoverMailSettings(email, password);
  },
};

/**
 * The IMAP kind with autoconfig aimed elsewhere than the real autoconfig hosts, the ISP database
 * and the system's DNS: for tests, which serve their own files and records. Never a user setting.
 */
export function imapKindWith(environment: AutoconfigEnvironment): ConnectorKind<ImapSettings> {
  return {
    ...imapKind,
    async autoconfig(email, password) {
      const { discoverMailSettings } = await import('./autoconfig/discover.ts');
      return discoverMailSettings(email, password, environment);
    },
  };
}
