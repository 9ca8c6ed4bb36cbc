import { describe, expect, it } from 'vitest';
import { highlightTerms, parseDate, parseSearch, toMatchExpression } from './search-syntax.ts';
import type { ParsedSearch } from './search-syntax.ts';

const NOW = new Date(2026, 11, 7, 15, 30);
const day = (y: number, m: number, d: number) => new Date(y, m - 1, d).getTime();

function parsed(text: string): ParsedSearch {
  const outcome = parseSearch(text, NOW);
  if (!outcome.ok) throw new Error(`expected "${text}" to parse, got: ${outcome.error}`);
  return outcome.search;
}

function match(text: string): string | undefined {
  return toMatchExpression(parsed(text).terms);
}

describe('parseSearch: words and phrases', () => {
  it.each([
    ['retry', '"retry"*'],
    ['retr', '"retr"*'],
    ['retry ', '"retry"'],
    ['budget rev', '("budget" AND "rev"*)'],
    ['"quarterly budget"', '"quarterly budget"'],
    ['"quarterly bud', '"quarterly bud"*'],
    ['say "hi there" now', '("say" AND "hi there" AND "now"*)'],
    ['report -draft', '"report" NOT "draft"*'],
    ['report -draft ', '"report" NOT "draft"'],
    ['report -"first draft" final', '("report" AND "final"*) NOT "first draft"'],
    ['e-mail', '"e-mail"*'],
    ['Réun', '"Réun"*'],
  ])('%j → %s', (text, expected) => {
    expect(match(text)).toBe(expected);
  });

  it.each([
    // FTS5 syntax is searched as text, quoted, never parsed.
    ['a AND b', '("a" AND "AND" AND "b")'],
    ['cats OR dogs', '("cats" AND "OR" AND "dogs"*)'],
    ['NOT', '"NOT"*'],
    ['NEAR(x y)', '("NEAR(x" AND "y)")'],
    ['title:report', '"title:report"*'],
    ['{sender title}: x', '("{sender" AND "title}:" AND "x")'],
    ['^start', '"^start"*'],
    ['a* bee*', '("a*" AND "bee*"*)'],
    ['re:meeting 10:30', '("re:meeting" AND "10:30")'],
    ["'; DROP TABLE items; --", '("DROP" AND "TABLE" AND "items;")'],
  ])('hostile %j → %s', (text, expected) => {
    expect(match(text)).toBe(expected);
  });

  it('matches a prefix from three letters on; shorter, the word is whole', () => {
    expect(match('report 24')).toBe('("report" AND "24")');
    expect(match('report 240')).toBe('("report" AND "240"*)');
    expect(match('from:al')).toBe('sender : "al"');
    expect(match('中文')).toBe('"中文"');
    expect(match('中文字')).toBe('"中文字"*');
  });

  it('closes an unbalanced quote at the end, as the user is still typing it', () => {
    expect(match('"')).toBeUndefined();
    expect(match('"""')).toBeUndefined();
    expect(match('say "hi')).toBe('("say" AND "hi")');
    expect(match('say "hello')).toBe('("say" AND "hello"*)');
    expect(match('a"b')).toBe('"a""b"');
  });

  it('drops words without a letter or digit, and control characters', () => {
    expect(match('* ** ( ) - --')).toBeUndefined();
    expect(match('🙂 compiler')).toBe('"compiler"*');
    expect(match('a\u0000b')).toBe('("a" AND "b")');
    expect(match('\u200bxyz')).toBe('"xyz"*');
  });

  it('explains, in words, a query it cannot run', () => {
    const errors: [string, RegExp][] = [
      ['from:', /^$/], // still typing: no error, nothing to search
      ['from: ', /from: needs a name/],
      ['source:sms', /source: is mail, chat or feed/],
      ['is:important', /is: is unread, read, starred or unstarred/],
      ['has:link', /has: only knows attachment/],
      ['before:yesterdayish', /before: needs a date/],
      ['after:2026-02-30', /after: needs a date/],
      ['after:2026-13-01', /after: needs a date/],
      ['-draft', /Say what to look for besides/],
      ['-from:bob x', /cannot leave things out/],
      ['source:mail source:chat', /one source: at a time/],
      [Array.from({ length: 40 }, (_, n) => `w${n}`).join(' '), /at most 16/],
    ];
    for (const [text, message] of errors) {
      const outcome = parseSearch(text, NOW);
      if (message.source === '^$') {
        expect(outcome.ok).toBe(true);
        continue;
      }
      expect(outcome.ok, text).toBe(false);
      if (!outcome.ok) {
        expect(outcome.error).toMatch(message);
        expect(outcome.error).not.toMatch(/fts5|syntax error|sqlite/i);
      }
    }
  });

  it('takes a 10 kB query without trouble', () => {
    const long = 'x'.repeat(10_000);
    expect(match(long)).toBe(`"${long}"*`);
    const quotes = '"'.repeat(10_000);
    expect(parseSearch(quotes, NOW).ok).toBe(true);
    const operators = 'from:'.repeat(2_000);
    const outcome = parseSearch(operators, NOW);
    expect(outcome.ok).toBe(true);
    const words = Array.from({ length: 2_000 }, () => 'ab').join(' ');
    expect(parseSearch(words, NOW)).toMatchObject({ ok: false });
  });
});

describe('parseSearch: operators', () => {
  it('reads from: and to: as column searches, the last one a prefix while typed', () => {
    expect(match('from:alice')).toBe('sender : "alice"*');
    expect(match('from:alice report')).toBe('(sender : "alice" AND "report"*)');
    expect(match('to:"Bob Smith" budget')).toBe('(recipients : "Bob Smith" AND "budget"*)');
    expect(match('FROM:alice@example.org ')).toBe('sender : "alice@example.org"');
  });

  it('reads the filters', () => {
    expect(parsed('in:inbox in:"Team room" lunch')).toMatchObject({ places: ['inbox', 'Team room'] });
    expect(parsed('source:CHAT')).toMatchObject({ source: 'chat', terms: [] });
    expect(parsed('is:unread is:starred has:attachment')).toMatchObject({ unread: true, starred: true, hasAttachment: true });
    expect(parsed('is:read is:unstarred')).toMatchObject({ unread: false, starred: false });
    expect(parsed('after:2026-03-01 before:2026-04-01')).toMatchObject({ after: day(2026, 3, 1), before: day(2026, 4, 1) });
    expect(parsed('after:7d')).toMatchObject({ after: NOW.getTime() - 7 * 24 * 3600 * 1000 });
    expect(parsed('before:today')).toMatchObject({ before: day(2026, 12, 7) });
    // Two bounds of one kind: the narrower wins.
    expect(parsed('after:2026-01-01 after:2026-02-01')).toMatchObject({ after: day(2026, 2, 1) });
  });

  it('ignores an operator still being typed at the end', () => {
    expect(parsed('report from:')).toMatchObject({ terms: [{ text: 'report', prefix: false }] });
    expect(parsed('is:')).toMatchObject({ terms: [] });
  });

  it('reads relative and calendar dates', () => {
    expect(parseDate('2w', NOW)).toBe(NOW.getTime() - 14 * 24 * 3600 * 1000);
    expect(parseDate('1m', NOW)).toBe(new Date(2026, 10, 7, 15, 30).getTime());
    expect(parseDate('1y', NOW)).toBe(new Date(2025, 11, 7, 15, 30).getTime());
    expect(parseDate('yesterday', NOW)).toBe(day(2026, 12, 6));
    expect(parseDate('2024-02-29', NOW)).toBe(day(2024, 2, 29));
    expect(parseDate('2025-02-29', NOW)).toBeUndefined();
    expect(parseDate('7 days', NOW)).toBeUndefined();
  });
});

describe('highlightTerms', () => {
  it('lists the folded words looked for, once each, not the left-out ones', () => {
    expect(highlightTerms(parsed('Café "Budget Review" -draft from:ali').terms)).toEqual([
      { text: 'cafe', prefix: false },
      { text: 'budget', prefix: false },
      { text: 'review', prefix: false },
      { text: 'ali', prefix: true },
    ]);
  });
});
