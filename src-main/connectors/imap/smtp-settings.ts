/**
 * The outgoing side of an IMAP account: SMTP host, port, security and user, and the From address.
 * Parsed from the add-account input and account changes, decoded from stored settings, and
 * suggested from the IMAP host (smtp./mail. of its domain, 465 or 587). Light: no nodemailer here.
 */
import type { ImapSettings, SmtpSecurity, SmtpSettings } from '../../../src-shared/domain.ts';
import { choice, hostName, integer, InputError, refusePlaintextOffMachine, text } from '../../common/input.ts';

export const SMTP_SECURITIES: readonly SmtpSecurity[] = ['tls', 'starttls', 'plain'];
const SECURITY_MESSAGE = 'SMTP security must be TLS, STARTTLS or none.';
/** The keychain entry of an SMTP password of its own, beside the IMAP one. */
export const SMTP_SECRET = 'smtp';

/** The keys of the input and of `accounts.update` changes that are about sending. */
export const SMTP_INPUT_KEYS = ['smtpHost', 'smtpPort', 'smtpSecurity', 'smtpUser', 'smtpPassword', 'address', 'fromName'] as const;

/** RFC 8314: implicit TLS on 465; 587 is submission with STARTTLS; plain only to this computer, on 25. */
export function defaultSmtpPort(security: SmtpSecurity): number {
  return security === 'tls' ? 465 : security === 'starttls' ? 587 : 25;
}

/** What the add-account form offers before the user types: smtp. and mail. of the IMAP host's domain. */
export function suggestSmtpHosts(imapHost: string): string[] {
  const host = imapHost.trim().toLowerCase();
  if (host === '' || /^[\d.]+$/.test(host) || host.includes(':')) return host === '' ? [] : [host];
  const labels = host.split('.');
  const domain = labels.length > 2 && /^(imap|imaps|mail|mx|pop|pop3)\d*$/.test(labels[0]!) ? labels.slice(1).join('.') : host;
  if (!domain.includes('.')) return [domain];
  return [...new Set([`smtp.${domain}`, `mail.${domain}`])];
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

function address(value: unknown, field: string): string | undefined {
  const typed = text(value, field, 'Your address', { max: 320, optional: true }).trim();
  if (typed === '') return undefined;
  if (!ADDRESS.test(typed)) throw new InputError('Your address must look like ann@example.com.', field);
  return typed;
}

function fromName(value: unknown): string | undefined {
  const typed = text(value, 'fromName', 'Your name', { max: 200, optional: true }).replace(/[\r\n]+/g, ' ').trim();
  return typed === '' ? undefined : typed;
}

/** The From address mail of this account carries; undefined when there is none to use. */
export function fromAddressOf(settings: ImapSettings): string | undefined {
  if (settings.address) return settings.address;
  return ADDRESS.test(settings.user) ? settings.user : undefined;
}

export interface SmtpInput {
  smtp?: SmtpSettings;
  address?: string;
  fromName?: string;
  /** The SMTP password, when it is not the IMAP one. */
  smtpPassword?: string;
}

/** The sending part of an add-account input; without an SMTP host the account only receives. */
export function draftSmtp(input: Record<string, unknown>): SmtpInput {
  const result: SmtpInput = {};
  const from = address(input['address'], 'address');
  if (from !== undefined) result.address = from;
  const name = fromName(input['fromName']);
  if (name !== undefined) result.fromName = name;
  const rawHost = input['smtpHost'];
  if (rawHost === undefined || rawHost === null || rawHost === '') {
    for (const key of ['smtpPort', 'smtpSecurity', 'smtpUser', 'smtpPassword'] as const) {
      if (input[key] !== undefined && input[key] !== '') throw new InputError('Give the outgoing (SMTP) server too, or leave the SMTP settings out.', 'smtpHost');
    }
    return result;
  }
  const host = hostName(rawHost, 'smtpHost', 'SMTP server', 'smtp.example.com');
  const security = choice(input['smtpSecurity'] ?? 'tls', 'smtpSecurity', SMTP_SECURITIES, SECURITY_MESSAGE);
  const user = text(input['smtpUser'], 'smtpUser', 'SMTP user name', { max: 320, optional: true }).trim();
  const password = text(input['smtpPassword'], 'smtpPassword', 'SMTP password', { max: 4096, optional: true });
  const smtp: SmtpSettings = { host, port: integer(input['smtpPort'], 'smtpPort', 'SMTP port', 1, 65535, defaultSmtpPort(security)), security, ownPassword: password !== '' };
  if (user !== '') smtp.user = user;
  refusePlaintextOffMachine(smtp.security, smtp.host, 'smtpSecurity');
  result.smtp = smtp;
  if (password !== '') result.smtpPassword = password;
  return result;
}

/** Stored SMTP settings (settings version 2); anything unusable reads as none. */
export function decodeSmtp(stored: unknown): SmtpSettings | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const s = stored as Record<string, unknown>;
  if (typeof s['host'] !== 'string' || s['host'] === '') return undefined;
  const security = SMTP_SECURITIES.includes(s['security'] as SmtpSecurity) ? (s['security'] as SmtpSecurity) : 'tls';
  const smtp: SmtpSettings = { host: s['host'], port: typeof s['port'] === 'number' ? s['port'] : defaultSmtpPort(security), security, ownPassword: s['ownPassword'] === true };
  if (typeof s['user'] === 'string' && s['user'] !== '') smtp.user = s['user'];
  return smtp;
}

/**
 * `accounts.update` changes to the sending side. An SMTP host of '' turns sending off; the first
 * host given on an account without SMTP starts from the defaults. `smtpPassword` '' goes back to the
 * IMAP password.
 */
export function applySmtpChanges(settings: ImapSettings, changes: Record<string, unknown>): { settings: ImapSettings; smtpPassword?: string; changed: boolean } {
  const next: ImapSettings = { ...settings };
  if (changes['address'] !== undefined) {
    const from = address(changes['address'], 'address');
    if (from === undefined) delete next.address;
    else next.address = from;
  }
  if (changes['fromName'] !== undefined) {
    const name = fromName(changes['fromName']);
    if (name === undefined) delete next.fromName;
    else next.fromName = name;
  }
  const smtpKeys = ['smtpHost', 'smtpPort', 'smtpSecurity', 'smtpUser', 'smtpPassword'].filter((k) => changes[k] !== undefined);
  if (smtpKeys.length === 0) return { settings: next, changed: false };
  if (changes['smtpHost'] === '') {
    delete next.smtp;
    return { settings: next, changed: true };
  }
  const before = settings.smtp;
  if (!before && changes['smtpHost'] === undefined) throw new InputError('This account has no outgoing (SMTP) server yet: give --smtp-host first.', 'smtpHost');
  const smtp: SmtpSettings = before ? { ...before } : { host: '', port: defaultSmtpPort('tls'), security: 'tls', ownPassword: false };
  if (changes['smtpHost'] !== undefined) smtp.host = hostName(changes['smtpHost'], 'smtpHost', 'SMTP server', 'smtp.example.com');
  if (changes['smtpSecurity'] !== undefined) smtp.security = choice(changes['smtpSecurity'], 'smtpSecurity', SMTP_SECURITIES, SECURITY_MESSAGE);
  if (changes['smtpPort'] !== undefined) smtp.port = integer(changes['smtpPort'], 'smtpPort', 'SMTP port', 1, 65535);
  else if (!before || (smtp.security !== before.security && before.port === defaultSmtpPort(before.security))) smtp.port = defaultSmtpPort(smtp.security);
  if (changes['smtpUser'] !== undefined) {
    const user = text(changes['smtpUser'], 'smtpUser', 'SMTP user name', { max: 320, optional: true }).trim();
    if (user === '') delete smtp.user;
    else smtp.user = user;
  }
  let smtpPassword: string | undefined;
  if (changes['smtpPassword'] !== undefined) {
    smtpPassword = text(changes['smtpPassword'], 'smtpPassword', 'SMTP password', { max: 4096, optional: true });
    smtp.ownPassword = smtpPassword !== '';
  }
  refusePlaintextOffMachine(smtp.security, smtp.host, 'smtpSecurity');
  next.smtp = smtp;
  return { settings: next, changed: true, ...(smtpPassword ? { smtpPassword } : {}) };
}
