import { describe, expect, it } from 'vitest';
import type { ImapSettings } from '../../../src-shared/domain.ts';
import { InputError } from '../../common/input.ts';
import { imapKind } from './kind.ts';
import { applySmtpChanges, suggestSmtpHosts } from './smtp-settings.ts';

const base: ImapSettings = { host: 'imap.example.com', port: 993, security: 'tls', user: 'ann@example.com', syncWindowDays: 30, syncMaxMessages: 2000 };
const input = { host: 'imap.example.com', user: 'ann@example.com', password: 'pw' };

describe('SMTP settings of an IMAP account', () => {
  it('suggests smtp. and mail. of the IMAP host\'s domain', () => {
    expect(suggestSmtpHosts('imap.example.com')).toEqual(['smtp.example.com', 'mail.example.com']);
    expect(suggestSmtpHosts('mail.example.org')).toEqual(['smtp.example.org', 'mail.example.org']);
    expect(suggestSmtpHosts('example.net')).toEqual(['smtp.example.net', 'mail.example.net']);
    expect(suggestSmtpHosts('127.0.0.1')).toEqual(['127.0.0.1']);
  });

  it('drafts the SMTP server with 465 for TLS and 587 for STARTTLS, the IMAP login unless given', () => {
    expect(imapKind.draft({ ...input, smtpHost: 'smtp.example.com' }).settings.smtp).toEqual({ host: 'smtp.example.com', port: 465, security: 'tls', ownPassword: false });
    expect(imapKind.draft({ ...input, smtpHost: 'smtp.example.com', smtpSecurity: 'starttls' }).settings.smtp?.port).toBe(587);
    const own = imapKind.draft({ ...input, smtpHost: 'smtp.example.com', smtpUser: 'ann', smtpPassword: 'other' });
    expect(own.settings.smtp).toMatchObject({ user: 'ann', ownPassword: true });
    expect(own.extraSecrets).toEqual({ smtp: 'other' });
    expect(own.secret).toBe('pw');
  });

  it('an account without an SMTP host only receives; SMTP fields without one are refused', () => {
    expect(imapKind.draft(input).settings.smtp).toBeUndefined();
    expect(() => imapKind.draft({ ...input, smtpPort: 587 })).toThrow(InputError);
  });

  it('refuses plain SMTP to another computer and a From address that is none', () => {
    expect(() => imapKind.draft({ ...input, smtpHost: 'smtp.example.com', smtpSecurity: 'plain' })).toThrow(/only allowed to this computer/);
    expect(() => imapKind.draft({ ...input, address: 'not an address' })).toThrow(/ann@example\.com/);
  });

  it('reads settings version 1 (before SMTP) as an account that only receives', () => {
    const { syncWindowDays: _w, syncMaxMessages: _m, ...v1 } = base;
    expect(imapKind.decodeSettings(v1, 1)).toEqual(base);
    expect(imapKind.decodeSettings({ ...base, smtp: { host: 'smtp.example.com', port: 587, security: 'starttls', ownPassword: true } }, 2).smtp).toEqual({
      host: 'smtp.example.com', port: 587, security: 'starttls', ownPassword: true,
    });
    expect(() => imapKind.decodeSettings(base, 3)).toThrow(/newer Groundswell/);
  });

  it('account update: a first SMTP host starts from the defaults and is checked; another port only moves the port', () => {
    const first = imapKind.applyChanges(base, { smtpHost: 'smtp.example.com' });
    expect(first.settings.smtp).toEqual({ host: 'smtp.example.com', port: 465, security: 'tls', ownPassword: false });
    expect(first.recheck).toBe(true);
    const moved = applySmtpChanges(first.settings, { smtpSecurity: 'starttls' });
    expect(moved.settings.smtp?.port).toBe(587);
    expect(() => applySmtpChanges(base, { smtpPort: 25 })).toThrow(/give --smtp-host first/);
    expect(imapKind.applyChanges(first.settings, { smtpHost: '' }).settings.smtp).toBeUndefined();
    expect(imapKind.applyChanges(first.settings, { smtpPassword: 'own' }).extraSecrets).toEqual({ smtp: 'own' });
  });
});
