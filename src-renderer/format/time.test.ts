import { describe, expect, it } from 'vitest';
import { describeStatus } from './status.ts';
import { formatFullTime, formatItemTime, formatRetryIn } from './time.ts';

// Local-time constructors keep these independent of the machine's time zone.
const now = new Date(2025, 2, 10, 15, 30).getTime();

describe('formatItemTime', () => {
  it('shows hours and minutes for today, zero-padded', () => {
    expect(formatItemTime(new Date(2025, 2, 10, 9, 5).getTime(), now)).toBe('09:05');
    expect(formatItemTime(new Date(2025, 2, 10, 0, 0).getTime(), now)).toBe('00:00');
  });

  it('shows month and day for earlier this year, including yesterday', () => {
    expect(formatItemTime(new Date(2025, 2, 9, 23, 59).getTime(), now)).toBe('Mar 9');
    expect(formatItemTime(new Date(2025, 0, 1, 8, 0).getTime(), now)).toBe('Jan 1');
  });

  it('adds the year for other years', () => {
    expect(formatItemTime(new Date(2024, 11, 31, 23, 0).getTime(), now)).toBe('Dec 31, 2024');
  });

  it('treats the same day-of-month in another month as not today', () => {
    expect(formatItemTime(new Date(2025, 1, 10, 15, 30).getTime(), now)).toBe('Feb 10');
  });

  it('returns nothing for an invalid time', () => {
    expect(formatItemTime(Number.NaN, now)).toBe('');
  });
});

describe('formatFullTime', () => {
  it('gives date and time', () => {
    expect(formatFullTime(new Date(2025, 2, 3, 14, 5).getTime())).toBe('Mar 3, 2025, 14:05');
  });
});

describe('formatRetryIn and describeStatus', () => {
  it('counts seconds up, never below zero, and minutes past 90 s', () => {
    expect(formatRetryIn(now + 4_200, now)).toBe('5s');
    expect(formatRetryIn(now - 1_000, now)).toBe('0s');
    expect(formatRetryIn(now + 300_000, now)).toBe('5m');
  });

  it('words each connection state as the sidebar shows it', () => {
    expect(describeStatus({ state: 'online', since: 0 }, now).text).toBe('online');
    expect(describeStatus({ state: 'syncing', done: 3, total: 10 }, now).text).toBe('syncing 3 of 10');
    expect(describeStatus({ state: 'syncing', done: 1240, total: 2000 }, now).text).toBe('syncing 1,240 of 2,000');
    expect(describeStatus({ state: 'syncing', done: 0, total: 1 }, now).text).toBe('syncing…');
    expect(describeStatus({ state: 'offline', reason: 'ECONNREFUSED', nextRetryAt: now + 12_000 }, now)).toEqual({
      text: 'offline — retry in 12s',
      tone: 'warn',
    });
    expect(describeStatus({ state: 'offline', reason: 'ECONNREFUSED', nextRetryAt: now - 1 }, now).text).toBe('offline — retrying…');
    expect(describeStatus({ state: 'auth-failed', reason: 'bad password' }, now)).toEqual({
      text: 'authentication failed',
      tone: 'bad',
      needsSignIn: true,
    });
  });
});
