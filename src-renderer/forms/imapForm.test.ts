import { describe, expect, it } from 'vitest';
import { isLocalHost } from '../../src-shared/domain.ts';
import { checkImapForm, emptyImapForm, formFieldOf, withSecurity, type ImapFormValues } from './imapForm.ts';

function filled(over: Partial<ImapFormValues> = {}): ImapFormValues {
  return { ...emptyImapForm(), displayName: 'Work', host: 'imap.example.com', user: 'ana', password: 'pw', ...over };
}

describe('the add-IMAP-account form', () => {
  it('starts with TLS on 993 and the sync defaults', () => {
    const v = emptyImapForm();
    expect([v.security, v.port, v.syncWindowDays, v.syncMaxMessages]).toEqual(['tls', '993', '30', '2000']);
  });

  it('moves the port with the security choice until the user edits the port', () => {
    expect(withSecurity(emptyImapForm(), 'starttls', false).port).toBe('143');
    expect(withSecurity(withSecurity(emptyImapForm(), 'plain', false), 'tls', false).port).toBe('993');
    const edited = { ...emptyImapForm(), port: '1143' };
    expect(withSecurity(edited, 'starttls', true)).toMatchObject({ port: '1143', security: 'starttls' });
  });

  it('requires name, server, user and password, each with its own message', () => {
    const check = checkImapForm(emptyImapForm());
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(['displayName', 'host', 'password', 'user']);
  });

  it('accepts ports 1 to 65535 only, as whole numbers', () => {
    for (const port of ['0', '65536', '-1', '99.5', 'abc', '']) {
      const check = checkImapForm(filled({ port }));
      expect(check.ok ? undefined : check.errors.port, port).toBe('Enter a port from 1 to 65535.');
    }
    for (const port of ['1', '65535', ' 993 ']) expect(checkImapForm(filled({ port })).ok, port).toBe(true);
  });

  it('allows no encryption only for this computer', () => {
    const remote = checkImapForm(filled({ security: 'plain', port: '143' }));
    expect(remote.ok ? undefined : remote.errors.security).toMatch(/only for localhost/);
    for (const host of ['localhost', '127.0.0.1', '::1', '[::1]', 'LOCALHOST']) {
      expect(checkImapForm(filled({ security: 'plain', host })).ok, host).toBe(true);
    }
    expect(isLocalHost('127.0.0.2')).toBe(false);
  });

  it('rejects a URL in the server field', () => {
    const check = checkImapForm(filled({ host: 'imaps://imap.example.com/' }));
    expect(check.ok ? undefined : check.errors.host).toMatch(/only the host name/);
  });

  it('checks the advanced limits', () => {
    const check = checkImapForm(filled({ syncWindowDays: '0', syncMaxMessages: 'lots' }));
    expect(check.ok ? [] : Object.keys(check.errors).sort()).toEqual(['syncMaxMessages', 'syncWindowDays']);
  });

  it('turns a valid form into the contract input, trimmed but with the password as typed', () => {
    const check = checkImapForm(filled({ displayName: ' Work ', host: ' imap.example.com ', password: ' p w ', port: '993' }));
    expect(check).toEqual({
      ok: true,
      input: {
        displayName: 'Work',
        host: 'imap.example.com',
        port: 993,
        security: 'tls',
        user: 'ana',
        password: ' p w ',
        syncWindowDays: 30,
        syncMaxMessages: 2000,
      },
    });
  });

  it('maps a server error field onto the form, or to the top when unknown', () => {
    expect(formFieldOf('password')).toBe('password');
    expect(formFieldOf('mailbox')).toBeUndefined();
    expect(formFieldOf(undefined)).toBeUndefined();
  });
});
