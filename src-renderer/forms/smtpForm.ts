/**
 * The sending side of the IMAP form as plain data: your address, the outgoing (SMTP) server with
 * the port following its security (465 TLS, 587 STARTTLS), and a user and password of its own when
 * they are not the IMAP ones. Suggestions come from the IMAP host (smtp. and mail. of its domain).
 */
import type { ImapAccountChanges, ImapAccountInput } from '../../src-shared/api.ts';
import { isLocalHost, type ImapSettings, type SmtpSecurity } from '../../src-shared/domain.ts';

export interface SmtpFormValues {
  address: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: SmtpSecurity;
  smtpUser: string;
  smtpPassword: string;
}

export type SmtpFormField = keyof SmtpFormValues;
export const SMTP_FORM_FIELDS: readonly SmtpFormField[] = ['address', 'smtpHost', 'smtpPort', 'smtpSecurity', 'smtpUser', 'smtpPassword'];

export const SMTP_SECURITY_LABELS: Record<SmtpSecurity, string> = { tls: 'TLS (port 465)', starttls: 'STARTTLS (port 587)', plain: 'None' };

export function defaultSmtpPort(security: SmtpSecurity): number {
  return security === 'tls' ? 465 : security === 'starttls' ? 587 : 25;
}

export function emptySmtpForm(): SmtpFormValues {
  return { address: '', smtpHost: '', smtpPort: String(defaultSmtpPort('tls')), smtpSecurity: 'tls', smtpUser: '', smtpPassword: '' };
}

/** smtp. and mail. of the IMAP host's domain: what the form offers before the user types a server. */
export function suggestSmtpHosts(imapHost: string): string[] {
  const host = imapHost.trim().toLowerCase();
  if (host === '' || /^[\d.]+$/.test(host) || host.includes(':') || host === 'localhost') return host === '' ? [] : [host];
  const labels = host.split('.');
  const domain = labels.length > 2 && /^(imap|imaps|mail|mx|pop|pop3)\d*$/.test(labels[0]!) ? labels.slice(1).join('.') : host;
  return domain.includes('.') ? [...new Set([`smtp.${domain}`, `mail.${domain}`])] : [domain];
}

type SmtpInput = Pick<ImapAccountInput, 'address' | 'smtpHost' | 'smtpPort' | 'smtpSecurity' | 'smtpUser' | 'smtpPassword'>;

/** Checks the sending fields; an empty SMTP server means the account only receives. */
export function checkSmtpForm(values: SmtpFormValues, errors: Partial<Record<SmtpFormField, string>>): SmtpInput {
  const input: SmtpInput = {};
  const address = values.address.trim();
  if (address !== '') {
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address)) errors.address = 'Enter your address like ann@example.com.';
    else input.address = address;
  }
  const host = values.smtpHost.trim();
  if (host === '') return input;
  if (/[\s/]/.test(host)) errors.smtpHost = 'Enter only the host name, without spaces, "smtp://" or a path.';
  const port = /^\d+$/.test(values.smtpPort.trim()) ? Number(values.smtpPort.trim()) : undefined;
  if (port === undefined || port < 1 || port > 65535) errors.smtpPort = 'Enter a port from 1 to 65535.';
  if (values.smtpSecurity === 'plain' && !isLocalHost(host)) errors.smtpSecurity = 'Without encryption your password would cross the network readable; choose TLS or STARTTLS.';
  Object.assign(input, { smtpHost: host, smtpSecurity: values.smtpSecurity, ...(port !== undefined ? { smtpPort: port } : {}) });
  if (values.smtpUser.trim() !== '') input.smtpUser = values.smtpUser.trim();
  if (values.smtpPassword !== '') input.smtpPassword = values.smtpPassword;
  return input;
}

/** An account's saved sending settings as the form shows them (a password is never shown). */
export function smtpFormValuesOf(settings: ImapSettings): SmtpFormValues {
  const smtp = settings.smtp;
  return {
    address: settings.address ?? '',
    smtpHost: smtp?.host ?? '',
    smtpPort: String(smtp?.port ?? defaultSmtpPort('tls')),
    smtpSecurity: smtp?.security ?? 'tls',
    smtpUser: smtp?.user ?? '',
    smtpPassword: '',
  };
}

/** The Sending section as `accounts.update` changes: only what differs ('' turns sending off, or goes back to the IMAP login). */
export function checkSmtpChanges(
  values: SmtpFormValues,
  saved: ImapSettings,
): { ok: true; input: ImapAccountChanges } | { ok: false; errors: Partial<Record<SmtpFormField, string>> } {
  const errors: Partial<Record<SmtpFormField, string>> = {};
  const input = checkSmtpForm(values, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const before = saved.smtp;
  const changes: ImapAccountChanges = {};
  if ((input.address ?? '') !== (saved.address ?? '')) changes.address = input.address ?? '';
  if (input.smtpHost === undefined) {
    if (before) changes.smtpHost = '';
    return { ok: true, input: changes };
  }
  if (input.smtpHost !== before?.host) changes.smtpHost = input.smtpHost;
  if (input.smtpPort !== before?.port) changes.smtpPort = input.smtpPort!;
  if (input.smtpSecurity !== before?.security) changes.smtpSecurity = input.smtpSecurity!;
  if ((input.smtpUser ?? '') !== (before?.user ?? '')) changes.smtpUser = input.smtpUser ?? '';
  if (input.smtpPassword !== undefined) changes.smtpPassword = input.smtpPassword;
  return { ok: true, input: changes };
}
