import { describe, expect, it } from 'vitest';
import { conversationKey, externalIdOf, normaliseSubject, parseExternalId, toConnectorItem } from './message-item.ts';
import { uidSet } from './mailbox-sync.ts';

describe('externalId', () => {
  it('round-trips, also for mailbox paths with colons', () => {
    expect(externalIdOf('INBOX', 1700000000, 42)).toBe('INBOX:1700000000:42');
    expect(parseExternalId('INBOX:1700000000:42')).toEqual({ mailbox: 'INBOX', uidValidity: 1700000000, uid: 42 });
    expect(parseExternalId('Work:Projects:7:9')).toEqual({ mailbox: 'Work:Projects', uidValidity: 7, uid: 9 });
    expect(parseExternalId('garbage')).toBeUndefined();
    expect(parseExternalId('INBOX:x:1')).toBeUndefined();
  });
});

describe('conversationKey', () => {
  it('uses the thread root so a message and its replies group together', () => {
    const root = conversationKey([], undefined, '<Root@x>', 'Plans');
    const reply = conversationKey(['<root@x>', '<mid@x>'], '<mid@x>', '<reply@x>', 'Re: Plans');
    const replyWithoutReferences = conversationKey([], '<root@x>', '<r2@x>', 'Re: Plans');
    expect(reply).toBe(root);
    expect(replyWithoutReferences).toBe(root);
  });

  it('falls back to the subject without reply prefixes', () => {
    expect(conversationKey([], undefined, undefined, 'AW: Re:  Budget  2025')).toBe(conversationKey([], undefined, undefined, 'budget 2025'));
    expect(normaliseSubject('Fwd: RE[2]: Hello')).toBe('hello');
  });
});

describe('toConnectorItem', () => {
  it('falls back to the envelope when the parse failed', () => {
    const item = toConnectorItem(
      'INBOX',
      5,
      {
        uid: 9,
        flags: new Set(['\\Flagged']),
        envelope: { subject: 'From envelope', from: [{ name: '', address: 'x@example.test' }], messageId: '<m@x>', date: 'not a date' },
        internalDate: new Date('2024-05-01T10:00:00Z'),
      },
      undefined,
    );
    expect(item).toMatchObject({
      externalId: 'INBOX:5:9',
      scope: 'INBOX',
      title: 'From envelope',
      sender: 'x@example.test',
      snippet: '',
      unread: true,
      priority: true,
      timestamp: Date.parse('2024-05-01T10:00:00Z'),
      conversationKey: 'mail:m@x',
      origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 5, uid: 9, messageId: '<m@x>' },
    });
  });

  it('shows (no subject) and (unknown sender) rather than blanks', () => {
    const item = toConnectorItem('INBOX', 1, { uid: 1, flags: new Set(['\\Seen']) }, { references: [], text: 'body', subject: '  ' });
    expect(item).toMatchObject({ title: '(no subject)', sender: '(unknown sender)', unread: false, snippet: 'body', searchText: 'body' });
  });
});

describe('uidSet', () => {
  it('compresses runs', () => {
    expect(uidSet([9, 1, 2, 3, 5, 7, 8, 3])).toBe('1:3,5,7:9');
    expect(uidSet([])).toBe('');
  });

  it('reports the facts attention rules match on: addressed in To or only Cc, to me alone, from me, fresh or backlog', () => {
    const envelope = (to: string[], cc: string[] = [], from = 'tom@becker.test') => ({
      uid: 3,
      envelope: { subject: 'Crash spike', from: [{ name: 'Tom Becker', address: from }], to: to.map((address) => ({ address })), cc: cc.map((address) => ({ address })) },
    });
    const me = { fresh: true, me: 'Ivy@Example.test' };
    const facts = (fetched: ReturnType<typeof envelope>, arrival: { fresh: boolean; me?: string } = me) => toConnectorItem('INBOX', 1, fetched, undefined, arrival).attention;
    expect(facts(envelope(['ivy@example.test']))).toMatchObject({ fresh: true, mentionsMe: true, direct: true, fromMe: false, sender: 'tom@becker.test', place: 'INBOX', mailbox: 'INBOX', conversationName: 'Crash spike' });
    expect(facts(envelope(['ivy@example.test', 'dana@example.test']))).toMatchObject({ mentionsMe: true, direct: false });
    expect(facts(envelope(['ivy@example.test'], ['ops@example.test']))).toMatchObject({ mentionsMe: true, direct: false });
    expect(facts(envelope(['team@example.test'], ['ivy@example.test']))).toMatchObject({ mentionsMe: false, direct: false });
    expect(facts(envelope(['dana@example.test'], [], 'ivy@example.test'))).toMatchObject({ fromMe: true });
    // A login that is not an address says nothing about To and Cc; a first sync is backlog.
    expect(facts(envelope(['ivy@example.test']), { fresh: false })).toMatchObject({ fresh: false, mentionsMe: false, direct: false, fromMe: false });
  });
});
