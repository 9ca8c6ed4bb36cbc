import { describe, expect, it } from 'vitest';
import { describeMatch, describeOutcome } from './rules.ts';

describe('rules in words', () => {
  it('names every field a rule matches on, and an empty match as everything', () => {
    expect(describeMatch({})).toBe('Everything');
    expect(describeMatch({ source: 'chat', mentionsOnly: true })).toBe('Chat · mentions only');
    expect(describeMatch({ source: 'mail', mailbox: 'INBOX' })).toBe('Mail · mailbox INBOX');
    expect(describeMatch({ accountId: 'a1', sender: '@example.com', keywords: ['outage', 'rollback now'], directOnly: true }, (id) => (id === 'a1' ? 'Work mail' : undefined))).toBe(
      'account Work mail · from @example.com · words “outage”, “rollback now” · direct only',
    );
    expect(describeMatch({ conversation: { accountId: 'a', key: 'k', name: 'Engineering' } })).toBe('in Engineering');
    expect(describeOutcome({ level: 'notify', priority: true })).toBe('Notify, priority');
    expect(describeOutcome({ level: 'silent', priority: false })).toBe('Silent');
  });
});
