import { describe, expect, it } from 'vitest';
import { hasWordPrefix, toMatchExpression, toSearchExpression } from './search-text.ts';

describe('toMatchExpression', () => {
  it('quotes every word and matches the last one as a prefix while typing', () => {
    expect(toMatchExpression('budget rev')).toBe('"budget" "rev"*');
    expect(toSearchExpression('budget revi')).toEqual({ match: '"budget" "rev"*', wordPrefix: 'revi' });
    expect(toSearchExpression('Réun')).toEqual({ match: '"Réu"*', wordPrefix: 'reun' });
    expect(toMatchExpression('budget rev ')).toBe('"budget" "rev"');
  });

  it('turns operators and syntax into plain quoted text', () => {
    expect(toMatchExpression('a AND b')).toBe('"a" "AND" "b"');
    expect(toMatchExpression('say "hi')).toBe('"say" """hi"*');
    expect(toMatchExpression('NEAR(x y) -zed')).toBe('"NEAR(x" "y)" "-zed"*');
    expect(toSearchExpression('-zedd')).toEqual({ match: '"-zedd"*' });
    expect(toMatchExpression('compiler 🙂')).toBe('"compiler"');
    expect(toMatchExpression('title:report')).toBe('"title:report"*');
  });

  it('waits for a third letter before matching a prefix', () => {
    expect(toMatchExpression('budget re')).toBe('"budget" "re"');
    expect(toMatchExpression('中文')).toBe('"中文"');
    expect(toMatchExpression('中文字')).toBe('"中文字"*');
  });

  it('checks a longer prefix word by word, folding case and accents', () => {
    expect(hasWordPrefix('Security review at the Café', 'secur')).toBe(true);
    expect(hasWordPrefix('second review', 'secur')).toBe(false);
    expect(hasWordPrefix('lunch at the café', 'cafe')).toBe(true);
    expect(hasWordPrefix('x-SECURE', 'secur')).toBe(true);
  });

  it('drops words with nothing searchable and control characters', () => {
    expect(toMatchExpression('')).toBeUndefined();
    expect(toMatchExpression(' * - ( ) " 🙂 ')).toBeUndefined();
    expect(toMatchExpression('a\u0000b')).toBe('"a" "b"');
    expect(toMatchExpression('🙂 compiler')).toBe('"com"*');
  });

  it('caps the number of words and does not prefix a word that was cut off', () => {
    const many = Array.from({ length: 30 }, (_, n) => `w${n}`).join(' ');
    const expression = toMatchExpression(many)!;
    expect(expression.split(' ')).toHaveLength(12);
    expect(expression.endsWith('"w11"')).toBe(true);
  });
});
