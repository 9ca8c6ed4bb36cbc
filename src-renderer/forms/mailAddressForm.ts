/**
 * Adding mail by address, as plain data: the address and password the user types first, and the
 * IMAP form the settings autoconfig found fill in, which the user may correct before adding. No
 * React here, so every rule is unit-tested.
 */
import type { MailAutoconfig } from '../../src-shared/api.ts';
import { emptyImapForm, type ImapFormValues } from './imapForm.ts';
import { defaultSmtpPort, emptySmtpForm, type SmtpFormValues } from './smtpForm.ts';

export interface MailAddressValues {
  email: string;
  password: string;
}

export type MailAddressField = keyof MailAddressValues;
export type MailAddressErrors = Partial<Record<MailAddressField, string>>;

export function emptyMailAddressForm(): MailAddressValues {
  return { email: '', password: '' };
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkMailAddressForm(values: MailAddressValues): { ok: true; input: { email: string; password: string } } | { ok: false; errors: MailAddressErrors } {
  const errors: MailAddressErrors = {};
  const email = values.email.trim();
  if (email === '') errors.email = 'Enter your email address.';
  else if (!ADDRESS.test(email)) errors.email = 'Enter an email address such as ann@example.com.';
  if (values.password === '') errors.password = 'Enter your password.';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input: { email, password: values.password } };
}

/** The IMAP form, filled with what was found (or only the name and user name when nothing was). */
export function imapFormFrom(found: MailAutoconfig, password: string): ImapFormValues {
  const input = found.input;
  const blank = emptyImapForm();
  const security = input['security'] === 'tls' || input['security'] === 'starttls' || input['security'] === 'plain' ? input['security'] : blank.security;
  return {
    ...blank,
    displayName: typeof input['displayName'] === 'string' ? input['displayName'] : found.email,
    host: typeof input['host'] === 'string' ? input['host'] : '',
    port: typeof input['port'] === 'number' ? String(input['port']) : blank.port,
    security,
    user: typeof input['user'] === 'string' ? input['user'] : found.email,
    password,
  };
}

/** The sending fields, filled with the SMTP server found (empty where none was: the account then only receives). */
export function smtpFormFrom(found: MailAutoconfig): SmtpFormValues {
  const input = found.input;
  const blank = emptySmtpForm();
  const security = input['smtpSecurity'] === 'tls' || input['smtpSecurity'] === 'starttls' || input['smtpSecurity'] === 'plain' ? input['smtpSecurity'] : blank.smtpSecurity;
  return {
    ...blank,
    address: typeof input['address'] === 'string' ? input['address'] : found.email,
    smtpHost: typeof input['smtpHost'] === 'string' ? input['smtpHost'] : '',
    smtpPort: typeof input['smtpPort'] === 'number' ? String(input['smtpPort']) : String(defaultSmtpPort(security)),
    smtpSecurity: security,
    smtpUser: typeof input['smtpUser'] === 'string' ? input['smtpUser'] : '',
  };
}
