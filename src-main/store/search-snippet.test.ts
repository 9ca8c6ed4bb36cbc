import { describe, expect, it } from 'vitest';
import { scoreCandidate } from './search-plan.ts';
import { hasWordPrefix, searchSnippet, SEARCH_SNIPPET_LENGTH } from './search-snippet.ts';

describe('searchSnippet', () => {
  it('shows the passage around the first match, cut at words', () => {
    const text = `${'filler words here '.repeat(30)}the pelican landed ${'and more '.repeat(40)}`;
    const snippet = searchSnippet(text, [{ text: 'pelican', prefix: false }]);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('the pelican landed');
    expect(snippet.length).toBeLessThanOrEqual(SEARCH_SNIPPET_LENGTH);
    expect(searchSnippet('short text', [{ text: 'text', prefix: false }])).toBe('short text');
  });
});

describe('hasWordPrefix', () => {
  it('checks word starts in plain and accented text, any of several columns', () => {
    expect(hasWordPrefix('revi', [null, 'Budget REVIEW today'])).toBe(true);
    expect(hasWordPrefix('revi', ['prereview only'])).toBe(false);
    expect(hasWordPrefix('reun', ['La Réunion de lundi'])).toBe(true);
    expect(hasWordPrefix('x', [undefined, 42])).toBe(false);
  });
});

describe('scoreCandidate', () => {
  const row = (sender: string, title: string, snippet: string) => ({ sender, title, snippet });
  const lisbon = [{ text: 'lisbon', prefix: false }];
  it('ranks a word in the sender over the title over the text, and all words together higher', () => {
    const inSender = scoreCandidate(row('Lisbon Office', 'Hello', 'nothing'), lisbon);
    const inTitle = scoreCandidate(row('Ann', 'Trip to Lisbon', 'nothing'), lisbon);
    const inText = scoreCandidate(row('Ann', 'Hello', 'we fly to lisbon'), lisbon);
    const inBody = scoreCandidate(row('Ann', 'Hello', 'nothing'), lisbon);
    expect(inSender).toBeGreaterThan(inTitle);
    expect(inTitle).toBeGreaterThan(inText);
    expect(inText).toBeGreaterThan(inBody);
    const terms = [{ text: 'lisbon', prefix: false }, { text: 'trip', prefix: false }];
    expect(scoreCandidate(row('Ann', 'Trip to Lisbon', ''), terms)).toBeGreaterThan(scoreCandidate(row('Ann', 'Trip', 'lisbon'), terms));
  });
});
