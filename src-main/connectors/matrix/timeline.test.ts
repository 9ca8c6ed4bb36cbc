import { describe, expect, it } from 'vitest';
import { boundedName, MAX_NAME_LENGTH } from './timeline.ts';

describe('names as the timeline shows them', () => {
  it('keeps a name up to the limit as it is, bidi controls included', () => {
    const name = `\u202eBob\u202c ${'x'.repeat(MAX_NAME_LENGTH - 6)}`;
    expect(name).toHaveLength(MAX_NAME_LENGTH);
    expect(boundedName(name)).toBe(name);
  });

  it('cuts a longer name to the limit with an ellipsis', () => {
    const cut = boundedName('a'.repeat(100_000));
    expect(cut).toHaveLength(MAX_NAME_LENGTH);
    expect(cut.endsWith('a…')).toBe(true);
  });

  it('never cuts through a surrogate pair', () => {
    // An emoji (two UTF-16 units) straddling the cut is left out whole.
    const name = `${'a'.repeat(MAX_NAME_LENGTH - 2)}😀${'b'.repeat(10)}`;
    const cut = boundedName(name);
    expect(cut).toBe(`${'a'.repeat(MAX_NAME_LENGTH - 2)}…`);
    expect(cut.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
  });
});
