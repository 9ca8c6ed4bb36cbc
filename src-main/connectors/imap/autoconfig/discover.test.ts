import { describe, expect, it } from 'vitest';
import type { MailServerSetting } from '../../../../src-shared/api.ts';
import { sendingInput } from './discover.ts';

const server = (host: string, port: number, security: MailServerSetting['security'], user: string): MailServerSetting => ({ host, port, security, user, authentication: ['password-cleartext'] });

describe('the sending half of what autoconfig found', () => {
  const imap = server('imap.example.org', 993, 'tls', 'ann');

  it('puts the found SMTP server into the input, its user only where it is not the IMAP one', () => {
    expect(sendingInput('ann@example.org', imap, server('smtp.example.org', 587, 'starttls', 'ann'))).toEqual({
      address: 'ann@example.org', smtpHost: 'smtp.example.org', smtpPort: 587, smtpSecurity: 'starttls',
    });
    expect(sendingInput('ann@example.org', imap, server('smtp.example.org', 465, 'tls', 'ann@example.org'))).toEqual({
      address: 'ann@example.org', smtpHost: 'smtp.example.org', smtpPort: 465, smtpSecurity: 'tls', smtpUser: 'ann@example.org',
    });
  });

  it('without an SMTP server gives only the address: the account receives only', () => {
    expect(sendingInput('ann@example.org', imap, undefined)).toEqual({ address: 'ann@example.org' });
  });
});
