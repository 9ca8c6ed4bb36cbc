import { describe, expect, it } from 'vitest';
import { InputError, parseChatText, parseIds, parseInboxQuery, parseMxc, parseRecoveryKey, parseRoomId, parseSearchQuery } from './validate.ts';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.field;
    throw error;
  }
  return 'no error';
}

describe('queries', () => {
  it('bounds limits and checks sources', () => {
    expect(parseInboxQuery({}).limit).toBe(50);
    expect(fieldOf(() => parseInboxQuery({ limit: 10_000 }))).toBe('limit');
    expect(fieldOf(() => parseInboxQuery({ source: 'fax' }))).toBe('source');
    expect(parseInboxQuery({ from: 'oldest', limit: 5 })).toEqual({ from: 'oldest', limit: 5 });
    expect(fieldOf(() => parseInboxQuery({ from: 'newest' }))).toBe('from');
    expect(fieldOf(() => parseInboxQuery({ offset: -1 }))).toBe('offset');
    // A page starts at one place: a cursor and an offset together would contradict each other.
    expect(fieldOf(() => parseInboxQuery({ after: 'x', offset: 3 }))).toBe('offset');
    expect(parseSearchQuery({ text: 'x', source: 'mail', unreadOnly: true })).toEqual({ text: 'x', source: 'mail', unreadOnly: true, limit: 50 });
    expect(fieldOf(() => parseSearchQuery({ text: '' }))).toBe('text');
    expect(fieldOf(() => parseIds({ itemIds: [] }))).toBe('itemIds');
    expect(fieldOf(() => parseIds({ itemIds: [1] }))).toBe('itemIds');
  });
});

describe('chat and encryption input', () => {
  it('refuses an empty message, a media path trick and a malformed room or recovery key', () => {
    expect(fieldOf(() => parseChatText({ text: '   ' }))).toBe('text');
    expect(parseChatText({ text: 'hello' })).toBe('hello');
    expect(parseMxc({ mxc: 'mxc://example.org/AbC_12-x' })).toBe('mxc://example.org/AbC_12-x');
    expect(fieldOf(() => parseMxc({ mxc: 'mxc://example.org/../../admin' }))).toBe('mxc');
    expect(parseRoomId({ roomId: ' !abc123:example.org ' })).toBe('!abc123:example.org');
    expect(fieldOf(() => parseRoomId({ roomId: '#general:example.org' }))).toBe('roomId');
    const key = 'EsTc 5rr1 4Jhp Uc18 hwCn 2b9T LSvj 5h4T 7cLQ wNbx CSMG Jm9k';
    expect(parseRecoveryKey({ recoveryKey: key })).toBe(key.replace(/ /g, ''));
    expect(fieldOf(() => parseRecoveryKey({ recoveryKey: 'not a key' }))).toBe('recoveryKey');
  });
});
