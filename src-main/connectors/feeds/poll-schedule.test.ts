import { describe, expect, it } from 'vitest';
import { firstPollDelay, MAX_BACKOFF_MS, nextPollDelay } from './poll-schedule.ts';

const TEN_MIN = 600_000;

describe('nextPollDelay', () => {
  it('waits the interval within ±10 % after a success', () => {
    expect(nextPollDelay({ kind: 'success' }, TEN_MIN, () => 0)).toBe(540_000);
    expect(nextPollDelay({ kind: 'success' }, TEN_MIN, () => 1)).toBe(660_000);
  });

  it('backs off by doubling with jitter, never below half the cap and never past the maximum', () => {
    const low = (failures: number) => nextPollDelay({ kind: 'failure', failures }, TEN_MIN, () => 0);
    const high = (failures: number) => nextPollDelay({ kind: 'failure', failures }, TEN_MIN, () => 1);
    expect([high(1), high(2), high(3)]).toEqual([TEN_MIN, 2 * TEN_MIN, 4 * TEN_MIN]);
    expect(low(3)).toBe(2 * TEN_MIN);
    expect(high(50)).toBe(MAX_BACKOFF_MS);
  });

  it('believes Retry-After but never polls sooner than the interval', () => {
    expect(nextPollDelay({ kind: 'failure', failures: 1, retryAfterMs: 3_600_000 }, TEN_MIN, () => 0)).toBe(3_600_000);
    expect(nextPollDelay({ kind: 'failure', failures: 1, retryAfterMs: 5_000 }, TEN_MIN, () => 0)).toBe(TEN_MIN);
  });
});

describe('firstPollDelay', () => {
  it('polls a new feed within seconds, spread at random', () => {
    expect(firstPollDelay(TEN_MIN, undefined, 0, () => 0.5)).toBe(2_500);
  });

  it('after a restart waits out the rest of the interval', () => {
    expect(firstPollDelay(TEN_MIN, 1_000_000, 1_000_000 + 60_000, () => 0)).toBe(TEN_MIN - 60_000);
    expect(firstPollDelay(TEN_MIN, 0, 10 * TEN_MIN, () => 0)).toBe(0);
  });
});
