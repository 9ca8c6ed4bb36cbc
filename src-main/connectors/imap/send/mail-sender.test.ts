import { describe, expect, it } from 'vitest';
import type { ImapSettings } from '../../../../src-shared/domain.ts';
import { filesSentItself } from './mail-sender.ts';

const settings = (host: string): ImapSettings => ({ host, port: 993, security: 'tls', user: 'ann', syncWindowDays: 30, syncMaxMessages: 2000 });

describe('servers that file sent mail themselves', () => {
  it('Gmail says so with its capability, whatever its host name', () => {
    expect(filesSentItself(settings('imap.example-workspace.com'), new Map([['X-GM-EXT-1', true]]))).toBe(true);
  });
  it('Microsoft\'s hosted mail and Gmail by host name', () => {
    expect(filesSentItself(settings('outlook.office365.com'), new Map())).toBe(true);
    expect(filesSentItself(settings('imap.gmail.com'), new Map())).toBe(true);
  });
  it('others get our copy in Sent', () => {
    expect(filesSentItself(settings('imap.example.com'), new Map([['IDLE', true]]))).toBe(false);
    expect(filesSentItself(settings('notgmail.com.example'), new Map())).toBe(false);
  });
});
