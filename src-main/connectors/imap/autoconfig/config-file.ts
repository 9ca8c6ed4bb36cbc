/**
 * Thunderbird's config-v1.1 file (the autoconfig format of mail providers and of the ISP database),
 * read with fast-xml-parser. A file comes from the network, so it is treated as hostile: a DOCTYPE
 * (the door to external entities and entity bombs) is refused before parsing, the text must be
 * well-formed XML, its size is capped by the caller, and every value is checked before use: a server
 * with a port that is not a number or an unknown socketType is left out, with the reason.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MailAuthentication, MailServerSetting } from '../../../../src-shared/api.ts';
import type { ImapSecurity } from '../../../../src-shared/domain.ts';

/** A file this large is no mail configuration (real ones are a few kB; Google's is 2 kB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

export interface MailConfigFile {
  providerId?: string;
  providerName?: string;
  domains: string[];
  /** IMAP servers in the file's order of preference (POP3 and Exchange entries are not among them). */
  imap: MailServerSetting[];
  smtp: MailServerSetting[];
  /** Entries left out, each with why ("a POP3 server", "port \"abc\" is not a number"). */
  skipped: string[];
  /** `<oAuth2>`: the provider's sign-in endpoints, only https ones. */
  oauth2?: { issuer: string; scopes: string[]; authUrl?: string; tokenUrl?: string };
}

const SOCKET_TYPES: Record<string, ImapSecurity> = { SSL: 'tls', TLS: 'tls', STARTTLS: 'starttls', plain: 'plain' };

const AUTHENTICATIONS: Record<string, MailAuthentication> = {
  'password-cleartext': 'password-cleartext',
  plain: 'password-cleartext',
  'password-encrypted': 'password-encrypted',
  secure: 'password-encrypted',
  OAuth2: 'OAuth2',
  NTLM: 'NTLM',
  GSSAPI: 'GSSAPI',
  'client-IP-address': 'client-IP-address',
  'TLS-client-cert': 'TLS-client-cert',
  none: 'none',
};

const LISTS = new Set(['emailProvider', 'domain', 'incomingServer', 'outgoingServer', 'authentication']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Values stay text: a port is checked here, not turned into whatever number the parser guesses.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // No DTD ever reaches the parser (refused above); only XML's five predefined entities remain.
  processEntities: true,
  htmlEntities: false,
  isArray: (name: string) => LISTS.has(name),
});

/** The address as config-v1.1 placeholders see it. */
export interface EmailParts {
  address: string;
  localPart: string;
  domain: string;
}

export function emailParts(address: string): EmailParts {
  const at = address.lastIndexOf('@');
  return { address, localPart: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% filled in; %REALNAME% and others are left for the user to see. */
export function fillPlaceholders(text: string, email: EmailParts): string {
  return text.replace(/%EMAILADDRESS%/g, email.address).replace(/%EMAILLOCALPART%/g, email.localPart).replace(/%EMAILDOMAIN%/g, email.domain);
}

export function parseConfigFile(xml: string, email: EmailParts): MailConfigFile {
  if (xml.length > MAX_CONFIG_BYTES) throw new ConfigFileError(`the file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB, which no mail configuration is`);
  if (/^\s*(?:<\?xml[^>]*\?>\s*)?<!DOCTYPE\s+html\b/i.test(xml)) throw new ConfigFileError('the address answered with a web page, not a mail configuration');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ConfigFileError('the file declares a DOCTYPE or entities, which a mail configuration never needs; it was not read');
  const start = xml.replace(/^\uFEFF/, '').trimStart();
  if (/^(?:<!--.*?-->\s*)*<(?:html|body|head)\b/is.test(start.replace(/^<\?xml[^>]*\?>\s*/, ''))) {
    throw new ConfigFileError('the address answered with a web page, not a mail configuration');
  }
  const valid = XMLValidator.validate(start);
  if (valid !== true) throw new ConfigFileError(`the file is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const document = parser.parse(start) as Record<string, unknown>;
  const root = document['clientConfig'];
  if (!isObject(root)) throw new ConfigFileError('the file is XML but not a mail configuration (no <clientConfig>)');
  const providers = root['emailProvider'];
  const provider = Array.isArray(providers) ? providers.find(isObject) : undefined;
  if (!provider) throw new ConfigFileError('the file names no <emailProvider>');

  const skipped: string[] = [];
  const imap: MailServerSetting[] = [];
  const smtp: MailServerSetting[] = [];
  for (const entry of list(provider['incomingServer'])) {
    const type = attribute(entry, 'type');
    if (type !== 'imap') {
      skipped.push(`an incoming server of type ${type ? JSON.stringify(type) : '(none)'} (Groundswell reads mail over IMAP)`);
      continue;
    }
    const server = readServer(entry, email, 'IMAP', skipped);
    if (server) imap.push(server);
  }
  for (const entry of list(provider['outgoingServer'])) {
    const type = attribute(entry, 'type');
    if (type !== 'smtp') {
      skipped.push(`an outgoing server of type ${type ? JSON.stringify(type) : '(none)'}`);
      continue;
    }
    const server = readServer(entry, email, 'SMTP', skipped);
    if (server) smtp.push(server);
  }
  const providerId = attribute(provider, 'id');
  const oauth2 = readOAuth2(root['oAuth2']);
  const providerName = textOf(provider['displayName']) ?? textOf(provider['displayShortName']);
  return {
    ...(providerId ? { providerId } : {}),
    ...(providerName ? { providerName: providerName.slice(0, 200) } : {}),
    domains: list(provider['domain']).flatMap((d) => (typeof d === 'string' && d !== '' ? [d.toLowerCase()] : [])),
    imap,
    smtp,
    skipped,
    ...(oauth2 ? { oauth2 } : {}),
  };
}

function readOAuth2(value: unknown): MailConfigFile['oauth2'] {
  if (!isObject(value)) return undefined;
  const issuer = textOf(value['issuer']);
  if (issuer === undefined || issuer === '' || issuer.length > 253) return undefined;
  const https = (text: string | undefined) => (text !== undefined && /^https:\/\/[^\s]+$/.test(text) && text.length <= 2000 ? text : undefined);
  const authUrl = https(textOf(value['authURL']));
  const tokenUrl = https(textOf(value['tokenURL']));
  const scopes = (textOf(value['scope']) ?? '').split(/\s+/).filter((scope) => scope !== '').slice(0, 20);
  return { issuer, scopes, ...(authUrl ? { authUrl } : {}), ...(tokenUrl ? { tokenUrl } : {}) };
}

function readServer(entry: unknown, email: EmailParts, what: string, skipped: string[]): MailServerSetting | undefined {
  if (!isObject(entry)) {
    skipped.push(`an empty ${what} entry`);
    return undefined;
  }
  const hostText = textOf(entry['hostname']);
  const host = hostText === undefined ? '' : fillPlaceholders(hostText, email).toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/.test(host)) {
    skipped.push(`an ${what} server whose hostname ${JSON.stringify(hostText ?? '')} is not a host name`);
    return undefined;
  }
  const portText = textOf(entry['port']) ?? '';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    skipped.push(`the ${what} server ${host}: its port ${JSON.stringify(portText)} is not a number from 1 to 65535`);
    return undefined;
  }
  const socket = textOf(entry['socketType']) ?? '';
  const security = Object.hasOwn(SOCKET_TYPES, socket) ? SOCKET_TYPES[socket] : undefined;
  if (security === undefined) {
    skipped.push(`the ${what} server ${host}:${port}: its socketType ${JSON.stringify(socket)} is not SSL, STARTTLS or plain`);
    return undefined;
  }
  const authentication: MailAuthentication[] = [];
  for (const value of list(entry['authentication'])) {
    const name = typeof value === 'string' ? value : textOf(value);
    const known = name !== undefined && Object.hasOwn(AUTHENTICATIONS, name) ? AUTHENTICATIONS[name] : undefined;
    if (known !== undefined && !authentication.includes(known)) authentication.push(known);
  }
  // config-v1.1 says password-cleartext when the element is missing.
  if (authentication.length === 0) authentication.push('password-cleartext');
  const userText = textOf(entry['username']);
  return { host: host.replace(/\.$/, ''), port, security, user: fillPlaceholders(userText ?? '%EMAILADDRESS%', email).slice(0, 320), authentication };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function attribute(entry: unknown, name: string): string | undefined {
  if (!isObject(entry)) return undefined;
  const value = entry[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** An element's text: a plain string, or `#text` beside attributes; anything else (nested elements) is not text. */
function textOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['#text'] === 'string') return value['#text'];
  return undefined;
}
