import { describe, expect, it } from 'vitest';
import type { ImapSettings } from '../../../src-shared/domain.ts';
import { InputError } from '../../common/input.ts';
import { SettingsTooNewError } from '../kind.ts';
import { imapKind } from './kind.ts';

const valid = { displayName: 'Work', host: 'imap.example.com', port: 993, security: 'tls', user: 'ann', password: 's3cret' };

const settings: ImapSettings = { host: 'imap.example.com', port: 993, security: 'tls', user: 'ann', syncWindowDays: 30, syncMaxMessages: 2000 };

/** The field an InputError names, so a form can put the message beside it. */
function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.field;
    throw error;
  }
  return 'no error';
}

describe('adding an IMAP account', () => {
  it('drafts a valid account, keeping the password apart from the settings', () => {
    expect(imapKind.draft(valid)).toEqual({ displayName: 'Work', settings, secret: 's3cret' });
  });

  it('fills in a name and the sync limits when none are given', () => {
    const draft = imapKind.draft({ ...valid, displayName: '' });
    expect(draft.displayName).toBe('ann on imap.example.com');
    expect(draft.settings.syncWindowDays).toBe(30);
    expect(draft.settings.syncMaxMessages).toBe(2000);
  });

  it('picks the port from the security when none is given', () => {
    const { port: _port, ...withoutPort } = valid;
    expect(imapKind.draft({ ...withoutPort, security: 'tls' }).settings.port).toBe(993);
    expect(imapKind.draft({ ...withoutPort, security: 'starttls' }).settings.port).toBe(143);
    expect(imapKind.draft({ ...withoutPort, host: 'localhost', security: 'plain' }).settings.port).toBe(143);
    expect(imapKind.draft({ ...withoutPort, security: undefined }).settings).toMatchObject({ security: 'tls', port: 993 });
    expect(imapKind.draft({ ...valid, security: 'starttls', port: 1143 }).settings.port).toBe(1143);
  });

  it('names the wrong field', () => {
    expect(fieldOf(() => imapKind.draft({ ...valid, host: '' }))).toBe('host');
    expect(fieldOf(() => imapKind.draft({ ...valid, host: 'bad host!' }))).toBe('host');
    expect(fieldOf(() => imapKind.draft({ ...valid, port: 0 }))).toBe('port');
    expect(fieldOf(() => imapKind.draft({ ...valid, port: 70000 }))).toBe('port');
    expect(fieldOf(() => imapKind.draft({ ...valid, port: 'abc' }))).toBe('port');
    expect(fieldOf(() => imapKind.draft({ ...valid, security: 'ssl3' }))).toBe('security');
    expect(fieldOf(() => imapKind.draft({ ...valid, user: '' }))).toBe('user');
    expect(fieldOf(() => imapKind.draft({ ...valid, password: '' }))).toBe('password');
    expect(fieldOf(() => imapKind.draft({ ...valid, syncWindowDays: 0 }))).toBe('syncWindowDays');
    expect(fieldOf(() => imapKind.draft({ ...valid, syncMaxMessages: 100_001 }))).toBe('syncMaxMessages');
  });

  it('allows an unencrypted connection only to this computer', () => {
    expect(fieldOf(() => imapKind.draft({ ...valid, security: 'plain', port: 143 }))).toBe('security');
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      expect(imapKind.draft({ ...valid, host, security: 'plain', port: 143 }).settings.security).toBe('plain');
    }
  });

  it('never puts the password into an error message', () => {
    let thrown: unknown;
    try {
      imapKind.draft({ ...valid, password: 'hunter2', port: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message).not.toContain('hunter2');
  });

  it('knows the same mailbox under another spelling of the user name', () => {
    const first = imapKind.draft(valid).settings;
    const second = imapKind.draft({ ...valid, user: ' ANN ', host: 'IMAP.example.com' }).settings;
    expect(imapKind.identity(second)).toBe(imapKind.identity(first));
    expect(imapKind.identity({ ...first, port: 1993 })).not.toBe(imapKind.identity(first));
  });
});

describe('changing an IMAP account', () => {
  it('asks the server again only when the connection or login changes', () => {
    expect(imapKind.applyChanges(settings, { syncWindowDays: 90 })).toEqual({ settings: { ...settings, syncWindowDays: 90 }, recheck: false });
    expect(imapKind.applyChanges(settings, { host: 'mail.example.org' })).toEqual({ settings: { ...settings, host: 'mail.example.org' }, recheck: true });
    expect(imapKind.applyChanges(settings, { user: 'bob' }).recheck).toBe(true);
    expect(imapKind.applyChanges(settings, { security: 'starttls', port: 143 })).toEqual({ settings: { ...settings, security: 'starttls', port: 143 }, recheck: true });
  });

  it('checks a change the way an add is checked', () => {
    expect(fieldOf(() => imapKind.applyChanges(settings, { port: 0 }))).toBe('port');
    expect(fieldOf(() => imapKind.applyChanges(settings, { syncMaxMessages: 0 }))).toBe('syncMaxMessages');
    expect(fieldOf(() => imapKind.applyChanges(settings, { security: 'plain' }))).toBe('security');
    expect(imapKind.applyChanges({ ...settings, host: 'localhost' }, { security: 'plain', port: 143 }).settings.security).toBe('plain');
    // Leaving this computer while unencrypted would send the password across the network.
    expect(fieldOf(() => imapKind.applyChanges({ ...settings, host: 'localhost', security: 'plain', port: 143 }, { host: 'imap.example.com' }))).toBe('security');
  });

  it('names a field it cannot change instead of ignoring it', () => {
    expect(fieldOf(() => imapKind.applyChanges(settings, { hostname: 'x.example.com' }))).toBe('hostname');
    expect(fieldOf(() => imapKind.applyChanges(settings, { password: 'new' }))).toBe('password');
  });
});

describe('stored IMAP settings', () => {
  it('read back as they were saved', () => {
    expect(imapKind.decodeSettings(JSON.parse(JSON.stringify(settings)) as unknown, 1)).toEqual(settings);
  });

  it('get the default for a field saved before it existed', () => {
    const { syncWindowDays: _days, syncMaxMessages: _max, ...older } = settings;
    expect(imapKind.decodeSettings(older, 1)).toEqual({ ...settings, syncWindowDays: 30, syncMaxMessages: 2000 });
    expect(imapKind.decodeSettings({ ...settings, security: 'carrier-pigeon' }, 1).security).toBe('tls');
  });

  it('from a newer Groundswell are refused, saying to update', () => {
    let thrown: unknown;
    try {
      imapKind.decodeSettings({ ...settings, oauth: true }, imapKind.settingsVersion + 1);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingsTooNewError);
    expect((thrown as Error).message).toMatch(/newer Groundswell \(settings version 3\)\. Update Groundswell/);
  });
});
