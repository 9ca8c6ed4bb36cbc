/**
 * The rules engine over a table of cases: which rule decides (first match in order, the defaults,
 * a new rule placed ahead of less specific ones), what each kind of match takes, and the reason.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionRule, RuleMatch } from '../../../src-shared/attention.ts';
import type { AttentionFacts } from '../../connectors/connector.ts';
import { insertionIndex, keywordPattern, matchProblem, RuleList, specificity } from './rules.ts';
import type { RuleSubject } from './rules.ts';

/** The built-in defaults, as migration 009 stores them. */
const DEFAULTS: AttentionRule[] = [
  { id: 'mail-inbox', name: 'Mail: Inbox', match: { source: 'mail', mailbox: 'INBOX' }, level: 'notify', priority: false, builtIn: true },
  { id: 'chat-mentions', name: 'Chat: mentions', match: { source: 'chat', mentionsOnly: true }, level: 'notify', priority: true, builtIn: true },
  { id: 'chat-direct', name: 'Chat: direct messages', match: { source: 'chat', directOnly: true }, level: 'notify', priority: false, builtIn: true },
  { id: 'chat-rooms', name: 'Chat: room messages', match: { source: 'chat' }, level: 'badge', priority: false, builtIn: true },
  { id: 'feeds', name: 'Feeds', match: { source: 'feed' }, level: 'badge', priority: false, builtIn: true },
];

function facts(overrides: Partial<AttentionFacts> = {}): AttentionFacts {
  return { fresh: true, fromMe: false, mentionsMe: false, direct: false, conversationName: 'Engineering', place: 'Engineering', text: { title: '', categories: [], body: '' }, ...overrides };
}

const chat = (f: Partial<AttentionFacts> = {}, conversationKey = '!eng:example.org'): RuleSubject => ({
  accountId: 'chat1',
  accountName: 'Team chat',
  source: 'chat',
  conversationKey,
  facts: facts(f),
});
const mail = (f: Partial<AttentionFacts> = {}): RuleSubject => ({
  accountId: 'mail1',
  accountName: 'Work mail',
  source: 'mail',
  conversationKey: 'mail:root@example.com',
  facts: facts({ place: 'INBOX', mailbox: 'INBOX', conversationName: 'Mobile app crash spike', sender: 'tom@example.com', ...f }),
});
const feed = (f: Partial<AttentionFacts> = {}): RuleSubject => ({
  accountId: 'feed1',
  accountName: 'Status',
  source: 'feed',
  conversationKey: 'feed1',
  facts: facts({ place: 'Status', conversationName: 'Status', ...f }),
});

let next = 0;
/** A rule added the way rules.add places it. */
function add(rules: AttentionRule[], match: RuleMatch, level: AttentionRule['level'], priority = false, name = `rule ${++next}`): AttentionRule[] {
  const copy = [...rules];
  copy.splice(insertionIndex(copy, match), 0, { id: name, name, match, level, priority, builtIn: false });
  return copy;
}

describe('the defaults', () => {
  const list = new RuleList(DEFAULTS);
  it.each([
    ['new INBOX mail notifies', mail(), 'notify', false, 'Mail: Inbox'],
    ['mail in another mailbox is counted only', mail({ mailbox: 'Lists/dev', place: 'Lists/dev' }), 'badge', false, undefined],
    ['a mention notifies, as priority', chat({ mentionsMe: true }), 'notify', true, 'Chat: mentions'],
    ['a DM notifies', chat({ direct: true }), 'notify', false, 'Chat: direct messages'],
    ['a mention in a DM is priority too', chat({ direct: true, mentionsMe: true }), 'notify', true, 'Chat: mentions'],
    ['another room message is counted only', chat(), 'badge', false, 'Chat: room messages'],
    ['a feed entry is counted only', feed(), 'badge', false, 'Feeds'],
  ])('%s', (_case, subject, level, priority, ruleName) => {
    const verdict = list.evaluate(subject);
    expect({ level: verdict.level, priority: verdict.priority, rule: verdict.rule?.name }).toEqual({ level, priority, rule: ruleName });
  });

  it('says why in words, naming the rule', () => {
    expect(list.evaluate(chat({ mentionsMe: true })).text).toBe("you were mentioned in Engineering — rule 'Chat: mentions'");
    expect(list.evaluate(mail()).text).toBe("it arrived in INBOX — rule 'Mail: Inbox'");
    expect(list.evaluate(chat({ direct: true })).text).toBe("it is a direct message — rule 'Chat: direct messages'");
    expect(list.evaluate(mail({ mailbox: 'Archive' })).text).toBe('no rule matches it, so it is counted without a notification');
  });
});

describe('specificity and order', () => {
  it('ranks a conversation over a sender over a domain over words over an account over a mailbox over mentions over a source', () => {
    const order: RuleMatch[] = [
      { conversation: { accountId: 'a', key: 'k', name: 'n' } },
      { sender: 'tom@example.com' },
      { sender: 'example.com' },
      { keywords: ['outage'] },
      { accountId: 'a' },
      { mailbox: 'INBOX' },
      { mentionsOnly: true },
      { source: 'chat' },
    ];
    const scores = order.map(specificity);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(scores.slice(0, 6)).size).toBe(6);
  });

  it('places a new rule ahead of every less specific rule, and ahead of an equally specific older one', () => {
    let rules = add(DEFAULTS, { accountId: 'mail1' }, 'silent', false, 'Mute Work mail');
    expect(rules.map((r) => r.id)).toEqual(['Mute Work mail', ...DEFAULTS.map((r) => r.id)]);
    rules = add(rules, { source: 'chat', keywords: ['deploy'] }, 'notify', false, 'Deploys');
    expect(rules[0]!.id).toBe('Deploys');
    rules = add(rules, { accountId: 'chat1' }, 'badge', false, 'Chat account');
    expect(rules.map((r) => r.id).slice(0, 3)).toEqual(['Deploys', 'Chat account', 'Mute Work mail']);
  });

  it('lets the most specific rule win by default: a muted room stays muted for mentions, unless a mentions rule for it goes first', () => {
    const room = { accountId: 'chat1', key: '!eng:example.org', name: 'Engineering' };
    let rules = add(DEFAULTS, { conversation: room }, 'silent', false, 'Mute Engineering');
    expect(new RuleList(rules).evaluate(chat({ mentionsMe: true })).level).toBe('silent');
    expect(new RuleList(rules).evaluate(chat({ mentionsMe: true }, '!other:example.org')).level).toBe('notify');
    rules = add(rules, { conversation: room, mentionsOnly: true }, 'notify', true, 'Engineering mentions');
    expect(rules[0]!.id).toBe('Engineering mentions');
    const verdict = new RuleList(rules).evaluate(chat({ mentionsMe: true }));
    expect([verdict.level, verdict.priority, verdict.rule?.id]).toEqual(['notify', true, 'Engineering mentions']);
    expect(new RuleList(rules).evaluate(chat()).level).toBe('silent');
  });

  it('follows the order as it is, first match wins, after a move', () => {
    const muted = add(DEFAULTS, { accountId: 'mail1' }, 'silent', false, 'Mute Work mail');
    expect(new RuleList(muted).evaluate(mail()).level).toBe('silent');
    const moved = [...muted.slice(1), muted[0]!];
    expect(new RuleList(moved).evaluate(mail()).rule?.id).toBe('mail-inbox');
  });

  it('muting an account beats its INBOX rule; a keyword rule beats both and breaks through with priority', () => {
    let rules = add(DEFAULTS, { accountId: 'mail1' }, 'silent', false, 'Mute Work mail');
    rules = add(rules, { keywords: ['crash'] }, 'notify', true, 'Crashes');
    const list = new RuleList(rules);
    expect(list.evaluate(mail({ text: { title: 'Lunch on Friday', categories: [], body: '' } })).level).toBe('silent');
    const crash = list.evaluate(mail({ text: { title: 'Mobile app crash spike after 3.8.1', categories: [], body: '' } }));
    expect([crash.level, crash.priority, crash.text]).toEqual(['notify', true, `it mentions "crash" — rule 'Crashes'`]);
  });
});

describe('what a match takes', () => {
  const only = (match: RuleMatch) => new RuleList([{ id: 'r', name: 'r', match, level: 'silent', priority: false, builtIn: false }]);
  const hits = (match: RuleMatch, subject: RuleSubject) => only(match).evaluate(subject).rule !== undefined;

  it.each([
    ['an exact address, any case', { sender: 'Tom@Example.com' }, mail(), true],
    ['another address', { sender: 'tim@example.com' }, mail(), false],
    ['a domain', { sender: 'example.com' }, mail(), true],
    ['a domain written with @', { sender: '@example.com' }, mail(), true],
    ['a subdomain of the domain', { sender: 'example.com' }, mail({ sender: 'ci@build.example.com' }), true],
    ['a look-alike domain', { sender: 'example.com' }, mail({ sender: 'ci@notexample.com' }), false],
    ['a Matrix user id', { sender: '@priya:example.org' }, chat({ sender: '@priya:example.org' }), true],
    ['a Matrix server name as domain', { sender: 'example.org' }, chat({ sender: '@priya:example.org' }), true],
    ['no sender known', { sender: 'example.org' }, chat(), false],
    ['mentions only, mentioned', { mentionsOnly: true }, chat({ mentionsMe: true }), true],
    ['mentions only, not mentioned', { mentionsOnly: true }, chat(), false],
    ['direct only, a DM', { directOnly: true }, chat({ direct: true }), true],
    ['direct only, a room', { directOnly: true }, chat(), false],
    ['INBOX in another case', { mailbox: 'inbox' }, mail(), true],
    ['another mailbox', { mailbox: 'Archive' }, mail(), false],
    ['the account', { accountId: 'feed1' }, feed(), true],
    ['another account', { accountId: 'feed2' }, feed(), false],
    ['the conversation', { conversation: { accountId: 'chat1', key: '!eng:example.org', name: 'Engineering' } }, chat(), true],
    ['the same key on another account', { conversation: { accountId: 'chat2', key: '!eng:example.org', name: 'Engineering' } }, chat(), false],
    ['every condition at once', { source: 'chat', accountId: 'chat1', mentionsOnly: true, keywords: ['rollout'] }, chat({ mentionsMe: true, text: { title: '', categories: [], body: 'can you confirm the rollout?' } }), true],
    ['all but one condition', { source: 'chat', accountId: 'chat1', mentionsOnly: true, keywords: ['rollout'] }, chat({ text: { title: '', categories: [], body: 'can you confirm the rollout?' } }), false],
  ] as [string, RuleMatch, RuleSubject, boolean][])('%s', (_case, match, subject, expected) => {
    expect(hits(match, subject)).toBe(expected);
  });

  it.each([
    ['outage', 'Outage in eu-west', true],
    ['outage', 'outages-dashboard-v2', false],
    ['outage', 'an OUTAGE.', true],
    ['disk full', 'Alert: disk   full on db-3', true],
    ['disk full', 'diskfull', false],
    ['c++', 'a c++ build', true],
    ['3.8.1', 'crash after 3.8.1 rollout', true],
    ['3.8', 'crash after 3.81', false],
    ['störung', 'Große STÖRUNG im Netz', true],
  ])('keyword %j in %j → %s', (keyword, text, expected) => {
    expect(keywordPattern(keyword).test(text)).toBe(expected);
  });

  it('looks for keywords in the title, the categories and the body', () => {
    const match = { keywords: ['incident'] };
    expect(hits(match, feed({ text: { title: 'Incident 7', categories: [], body: '' } }))).toBe(true);
    expect(hits(match, feed({ text: { title: 'Maintenance', categories: ['incident'], body: '' } }))).toBe(true);
    expect(hits(match, feed({ text: { title: 'Maintenance', categories: [], body: 'no incident expected' } }))).toBe(true);
    expect(hits(match, feed({ text: { title: 'Maintenance', categories: ['planned'], body: 'all fine' } }))).toBe(false);
  });

  it('finds every keyword of a long list in one pass, words that are prefixes of others and overlapping ones included', () => {
    const rules = ['incident report', 'incident', 'in', 'out', 'outage', 'ab-c', 'b-cd', 'störung'].map(
      (k, i): AttentionRule => ({ id: `k${i}`, name: k, match: { keywords: [k] }, level: 'notify', priority: false, builtIn: false }),
    );
    const list = new RuleList(rules);
    const decide = (body: string) => list.evaluate(feed({ text: { title: '', categories: [], body } })).rule?.name;
    expect(decide('an incident report')).toBe('incident report');
    expect(decide('one incident')).toBe('incident');
    expect(decide('log in now')).toBe('in');
    expect(decide('outage!')).toBe('outage');
    expect(decide('way out')).toBe('out');
    expect(decide('x b-cd y')).toBe('b-cd');
    expect(decide('ab-cd')).toBeUndefined();
    expect(decide('ab-c d')).toBe('ab-c');
    expect(decide('Große STÖRUNG')).toBe('störung');
    expect(decide('nothing here')).toBeUndefined();
  });

  it('refuses matches that cannot work, saying what to give', () => {
    expect(matchProblem({ sender: 'tom' })).toMatch(/neither an address nor a domain/);
    expect(matchProblem({ sender: 'tom @example.com' })).toMatch(/A sender is an address/);
    expect(matchProblem({ keywords: [' '] })).toMatch(/cannot be empty/);
    expect(matchProblem({ sender: 'example.com', keywords: ['x'] })).toBeUndefined();
  });
});
