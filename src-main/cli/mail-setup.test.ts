import { describe, expect, it } from 'vitest';
import { describeSending, mailSecretsOf, MailSetupFailure } from './mail-setup.ts';

describe('account add mail --email: secrets and the sending side', () => {
  it('reads the password, and the SMTP password from the second line when asked for', () => {
    expect(mailSecretsOf({ 'password-stdin': true }, 'pw one\n')).toEqual({ password: 'pw one' });
    expect(mailSecretsOf({ 'password-stdin': true, 'smtp-password-stdin': true }, 'imap-pw\nsmtp-pw\n')).toEqual({ password: 'imap-pw', smtpPassword: 'smtp-pw' });
    expect(mailSecretsOf({}, undefined)).toEqual({});
    expect(() => mailSecretsOf({ 'smtp-password-stdin': true }, 'x\n')).toThrow(MailSetupFailure);
  });

  it('says where mail will be sent through, or that the account only receives', () => {
    expect(describeSending({ smtpHost: 'smtp.example.org', smtpPort: 587, smtpSecurity: 'starttls', address: 'ann@example.org' })).toBe(
      'Sending through smtp.example.org:587 STARTTLS, the IMAP user and password, from ann@example.org.',
    );
    expect(describeSending({ address: 'ann@example.org' })).toMatch(/^No outgoing \(SMTP\) server was found or given: the account will only receive mail\./);
  });
});
