import { readFileSync } from 'node:fs';
import postcss from 'postcss';
import { describe, expect, it } from 'vitest';

// A rule left open swallows every rule after it without any error in the browser: merges of
// blocks appended at the end of the sheet did exactly that, twice. The sheet must parse strictly.
describe('the stylesheet', () => {
  const css = readFileSync(new URL('../../src-renderer/styles.css', import.meta.url), 'utf8');

  it('parses with every block closed', () => {
    expect(() => postcss.parse(css)).not.toThrow();
  });

  it('has no rule nested in a plain rule by a missing brace', () => {
    const nested: string[] = [];
    postcss.parse(css).walkRules((rule) => {
      if (rule.parent?.type === 'rule') nested.push(`${(rule.parent as postcss.Rule).selector} > ${rule.selector}`);
    });
    expect(nested).toEqual([]);
  });
});
