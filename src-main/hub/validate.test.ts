import { describe, expect, it } from 'vitest';
import { InputError, parseIds, parseImapAccountInput, parseInboxQuery, parseSearchQuery } from './validate.ts';

const valid = { displayName: 'Work', host: 'imap.example.com', port: 993, security: 'tls', user: 'ann', password: 's3cret' };

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.field;
    throw error;
  }
  return 'no error';
}

describe('IMAP account input', () => {
  it('accepts a valid account and fills defaults', () => {
    const parsed = parseImapAccountInput({ ...valid, displayName: '' });
    expect(parsed.displayName).toBe('ann on imap.example.com');
    expect(parsed.syncWindowDays).toBe(30);
    expect(parsed.syncMaxMessages).toBe(2000);
  });

  it('names the wrong field', () => {
    expect(fieldOf(() => parseImapAccountInput({ ...valid, host: '' }))).toBe('host');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, host: 'bad host!' }))).toBe('host');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, port: 70000 }))).toBe('port');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, port: 'abc' }))).toBe('port');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, security: 'ssl3' }))).toBe('security');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, user: '' }))).toBe('user');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, password: '' }))).toBe('password');
    expect(fieldOf(() => parseImapAccountInput({ ...valid, syncWindowDays: 0 }))).toBe('syncWindowDays');
  });

  it('allows an unencrypted connection only to this computer', () => {
    expect(fieldOf(() => parseImapAccountInput({ ...valid, security: 'plain', port: 143 }))).toBe('security');
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      expect(parseImapAccountInput({ ...valid, host, security: 'plain', port: 143 }).security).toBe('plain');
    }
  });

  it('never puts the password into an error message', () => {
    try {
      parseImapAccountInput({ ...valid, password: 'hunter2', port: -1 });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('queries', () => {
  it('bounds limits and checks sources', () => {
    expect(parseInboxQuery({}).limit).toBe(50);
    expect(fieldOf(() => parseInboxQuery({ limit: 10_000 }))).toBe('limit');
    expect(fieldOf(() => parseInboxQuery({ source: 'fax' }))).toBe('source');
    expect(parseSearchQuery({ text: 'x', source: 'mail', unreadOnly: true })).toEqual({ text: 'x', source: 'mail', unreadOnly: true, limit: 50 });
    expect(fieldOf(() => parseSearchQuery({ text: '' }))).toBe('text');
    expect(fieldOf(() => parseIds({ itemIds: [] }))).toBe('itemIds');
    expect(fieldOf(() => parseIds({ itemIds: [1] }))).toBe('itemIds');
  });
});
