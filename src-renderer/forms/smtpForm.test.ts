import { describe, expect, it } from 'vitest';
import type { ImapSettings } from '../../src-shared/domain.ts';
import { checkSmtpChanges, checkSmtpForm, emptySmtpForm, smtpFormValuesOf, suggestSmtpHosts } from './smtpForm.ts';

const saved: ImapSettings = {
  host: 'imap.example.com', port: 993, security: 'tls', user: 'ann@example.com', syncWindowDays: 30, syncMaxMessages: 2000,
  smtp: { host: 'smtp.example.com', port: 465, security: 'tls', ownPassword: false },
};

describe('the Sending mail fields', () => {
  it('offers smtp. and mail. of the IMAP host', () => {
    expect(suggestSmtpHosts('imap.example.com')).toEqual(['smtp.example.com', 'mail.example.com']);
    expect(suggestSmtpHosts('')).toEqual([]);
  });

  it('an empty outgoing server means receive only; a given one is checked', () => {
    expect(checkSmtpForm(emptySmtpForm(), {})).toEqual({});
    const errors = {};
    expect(checkSmtpForm({ ...emptySmtpForm(), smtpHost: 'smtp.example.com', smtpPort: '587', smtpSecurity: 'starttls' }, errors)).toEqual({ smtpHost: 'smtp.example.com', smtpPort: 587, smtpSecurity: 'starttls' });
    const bad: Record<string, string> = {};
    checkSmtpForm({ ...emptySmtpForm(), smtpHost: 'smtp.example.com', smtpSecurity: 'plain', smtpPort: 'x', address: 'nope' }, bad);
    expect(Object.keys(bad).sort()).toEqual(['address', 'smtpPort', 'smtpSecurity']);
  });

  it('account settings send only what changed, and an emptied server turns sending off', () => {
    const values = smtpFormValuesOf(saved);
    expect(checkSmtpChanges(values, saved)).toEqual({ ok: true, input: {} });
    expect(checkSmtpChanges({ ...values, smtpPort: '587', smtpSecurity: 'starttls' }, saved)).toEqual({ ok: true, input: { smtpPort: 587, smtpSecurity: 'starttls' } });
    expect(checkSmtpChanges({ ...values, smtpHost: '' }, saved)).toEqual({ ok: true, input: { smtpHost: '' } });
    expect(checkSmtpChanges({ ...values, smtpPassword: 'other' }, saved)).toEqual({ ok: true, input: { smtpPassword: 'other' } });
  });
});
