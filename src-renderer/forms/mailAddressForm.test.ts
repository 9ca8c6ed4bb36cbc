import { describe, expect, it } from 'vitest';
import type { MailAutoconfig } from '../../src-shared/api.ts';
import { checkMailAddressForm, imapFormFrom, smtpFormFrom } from './mailAddressForm.ts';

const found: MailAutoconfig = {
  email: 'ann@example.org',
  found: true,
  source: 'ispdb',
  where: 'https://autoconfig.thunderbird.net/v1.1/example.org',
  imap: [{ host: 'imap.example.org', port: 143, security: 'starttls', user: 'ann', authentication: ['password-cleartext'] }],
  smtp: [],
  verified: false,
  warnings: [],
  steps: [],
  kind: 'imap',
  input: { displayName: 'ann@example.org', host: 'imap.example.org', port: 143, security: 'starttls', user: 'ann' },
};

describe('the mail-by-address form', () => {
  it('asks for an address and a password before anything is looked up', () => {
    expect(checkMailAddressForm({ email: '', password: '' })).toEqual({ ok: false, errors: { email: 'Enter your email address.', password: 'Enter your password.' } });
    expect(checkMailAddressForm({ email: 'ann', password: 'x' })).toEqual({ ok: false, errors: { email: 'Enter an email address such as ann@example.com.' } });
    expect(checkMailAddressForm({ email: ' ann@example.org ', password: ' pw ' })).toEqual({ ok: true, input: { email: 'ann@example.org', password: ' pw ' } });
  });

  it('fills the IMAP form with what was found, keeping the password typed', () => {
    expect(imapFormFrom(found, 'pw')).toMatchObject({ displayName: 'ann@example.org', host: 'imap.example.org', port: '143', security: 'starttls', user: 'ann', password: 'pw', syncWindowDays: '30' });
  });

  it('leaves the server empty for the user when nothing was found', () => {
    const none: MailAutoconfig = { ...found, found: false, imap: [], input: { displayName: 'ann@example.org', user: 'ann@example.org' } };
    expect(imapFormFrom(none, 'pw')).toMatchObject({ host: '', port: '993', security: 'tls', user: 'ann@example.org' });
  });

  it('fills the sending fields with the SMTP server found, and leaves them empty (receive only) where none was', () => {
    const withSmtp: MailAutoconfig = { ...found, input: { ...found.input, address: 'ann@example.org', smtpHost: 'smtp.example.org', smtpPort: 587, smtpSecurity: 'starttls', smtpUser: 'ann@example.org' } };
    expect(smtpFormFrom(withSmtp)).toEqual({ address: 'ann@example.org', smtpHost: 'smtp.example.org', smtpPort: '587', smtpSecurity: 'starttls', smtpUser: 'ann@example.org', smtpPassword: '' });
    expect(smtpFormFrom(found)).toEqual({ address: 'ann@example.org', smtpHost: '', smtpPort: '465', smtpSecurity: 'tls', smtpUser: '', smtpPassword: '' });
  });
});
