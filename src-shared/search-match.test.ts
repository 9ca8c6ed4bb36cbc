import { describe, expect, it } from 'vitest';
import { foldWord, matchRanges, searchTokens, splitByRanges } from './search-match.ts';

describe('search words in a text', () => {
  it('folds case and accents as the index does', () => {
    expect(foldWord('Café')).toBe('cafe');
    expect(foldWord('RÉUNION')).toBe('reunion');
    expect(searchTokens('Re: Café-Büro (10:30)')).toEqual(['re', 'cafe', 'buro', '10', '30']);
  });

  it('finds whole words, and a prefix only as far as it was typed', () => {
    const text = 'Retry the upload; retrying is fine. Entry retro';
    expect(matchRanges(text, [{ text: 'retry', prefix: false }])).toEqual([[0, 5]]);
    expect(matchRanges(text, [{ text: 'retr', prefix: true }]).map(([a, b]) => text.slice(a, b))).toEqual(['Retr', 'retr', 'retr']);
  });

  it('marks accented words in their original spelling', () => {
    const text = 'Lunch at the café, Zoë?';
    const ranges = matchRanges(text, [{ text: 'cafe', prefix: false }, { text: 'zo', prefix: true }]);
    expect(ranges.map(([a, b]) => text.slice(a, b))).toEqual(['café', 'Zo']);
    const decomposed = 'cafe\u0301 ok';
    expect(matchRanges(decomposed, [{ text: 'caf', prefix: true }, { text: 'cafe', prefix: false }])).toEqual([[0, 3]]);
  });

  it('splits a text into plain and marked parts, ignoring ranges that overlap or run past it', () => {
    expect(splitByRanges('one two three', [[4, 7], [5, 6], [20, 25]])).toEqual([
      { text: 'one ', hit: false },
      { text: 'two', hit: true },
      { text: ' three', hit: false },
    ]);
    expect(splitByRanges('abc', [])).toEqual([{ text: 'abc', hit: false }]);
  });

  it('stays bounded on a huge text', () => {
    expect(matchRanges('a '.repeat(100_000), [{ text: 'a', prefix: false }])).toHaveLength(200);
  });
});
