/** An IMAP account's Server section: the add form's rules, only what changed is sent, and a refusal lands beside its cause. */
import { describe, expect, it } from 'vitest';
import type { ImapSettings } from '../../src-shared/domain.ts';
import { checkImapServerForm, imapServerValuesOf, placeServerError } from '../../src-renderer/forms/imapForm.ts';

const SAVED: ImapSettings = { host: 'imap.example.com', port: 993, security: 'tls', user: 'pat', syncWindowDays: 30, syncMaxMessages: 2000 };

describe('the Server section of an IMAP account', () => {
  it('shows the saved settings and sends nothing when nothing changed', () => {
    const values = imapServerValuesOf(SAVED);
    expect(values).toEqual({ host: 'imap.example.com', port: '993', security: 'tls', user: 'pat', syncWindowDays: '30', syncMaxMessages: '2000' });
    expect(checkImapServerForm(values, SAVED)).toEqual({ ok: true, input: {} });
  });

  it('sends only the fields that differ from the saved ones, parsed', () => {
    const values = { ...imapServerValuesOf(SAVED), port: ' 143 ', security: 'starttls' as const, syncWindowDays: '7' };
    expect(checkImapServerForm(values, SAVED)).toEqual({ ok: true, input: { port: 143, security: 'starttls', syncWindowDays: 7 } });
  });

  it('applies the add form’s rules: port range, no plain text to another computer, a user name', () => {
    const check = checkImapServerForm({ ...imapServerValuesOf(SAVED), port: '0', security: 'plain', user: ' ' }, SAVED);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(Object.keys(check.errors).sort()).toEqual(['port', 'security', 'user']);
  });

  it('puts the hub’s refusal beside the field it names', () => {
    expect(placeServerError({ code: 'invalid-input', message: 'Port must be…', field: 'port' }, { host: 'x' })).toEqual({ field: 'port', message: 'Port must be…' });
  });

  it('puts an unreachable server beside the one connection field that changed, else above the section', () => {
    const refused = { code: 'connection-failed' as const, message: 'Could not reach 127.0.0.1:1.' };
    expect(placeServerError(refused, { port: 1, syncWindowDays: 3 }).field).toBe('port');
    expect(placeServerError(refused, { port: 1, host: 'other' }).field).toBeUndefined();
    expect(placeServerError({ code: 'auth-failed', message: 'Refused.' }, { user: 'sam' }).field).toBe('user');
    expect(placeServerError({ code: 'auth-failed', message: 'Refused.', field: 'password' }, { user: 'sam' }).field).toBeUndefined();
  });
});
