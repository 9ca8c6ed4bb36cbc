import { describe, expect, it } from 'vitest';
import { highestUid, lowestUid, uidSet } from './mailbox-sync.ts';

describe('UID ranges of a big mailbox', () => {
  // Spreading this many arguments into Math.min overflows the call stack (about 150,000 in V8).
  const uids = Array.from({ length: 200_000 }, (_, n) => 1_000_000 - n * 3);

  it('finds the lowest and highest of 200,000 UIDs', () => {
    expect(lowestUid(uids)).toBe(1_000_000 - 199_999 * 3);
    expect(highestUid(uids)).toBe(1_000_000);
  });

  it('writes 200,000 UIDs as a short set when they run in sequence', () => {
    expect(uidSet(Array.from({ length: 200_000 }, (_, n) => 200_000 - n))).toBe('1:200000');
  });
});
