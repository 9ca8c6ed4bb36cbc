import { describe, expect, it } from 'vitest';
import { formatSnoozeTime, parseLocalDateTime, snoozeUntil, toLocalDateTime } from './snooze.ts';

const local = (y: number, mo: number, d: number, h: number, mi = 0): number => new Date(y, mo - 1, d, h, mi).getTime();

describe('snooze times', () => {
  it('later today is three hours on, on the hour', () => {
    expect(snoozeUntil('later-today', local(2026, 12, 3, 14, 25))).toBe(local(2026, 12, 3, 17));
  });

  it('tomorrow is 09:00 the next day, across a month end', () => {
    expect(snoozeUntil('tomorrow', local(2026, 12, 31, 23, 50))).toBe(local(2027, 1, 1, 9));
  });

  it('next week is the coming Monday at 09:00, a week on from a Monday', () => {
    expect(snoozeUntil('next-week', local(2026, 12, 3, 10))).toBe(local(2026, 12, 7, 9)); // a Thursday
    expect(snoozeUntil('next-week', local(2026, 12, 7, 10))).toBe(local(2026, 12, 14, 9)); // a Monday
    expect(snoozeUntil('next-week', local(2026, 12, 6, 10))).toBe(local(2026, 12, 7, 9)); // a Sunday
  });

  it('reads and writes the picker field in local time, and refuses what is not a time', () => {
    const at = local(2026, 12, 4, 8, 5);
    expect(toLocalDateTime(at)).toBe('2026-12-04T08:05');
    expect(parseLocalDateTime('2026-12-04T08:05')).toBe(at);
    expect(parseLocalDateTime('')).toBeNull();
    expect(parseLocalDateTime('tomorrow')).toBeNull();
  });

  it('names the weekday within the coming week and the date beyond it', () => {
    const now = local(2026, 12, 3, 14);
    expect(formatSnoozeTime(local(2026, 12, 4, 9), now)).not.toMatch(/2026|Dec/);
    expect(formatSnoozeTime(local(2026, 12, 4, 9), now)).toMatch(/09:00/);
    expect(formatSnoozeTime(local(2026, 12, 24, 9), now)).toMatch(/24/);
    expect(formatSnoozeTime(local(2031, 1, 15, 9, 30), now)).toMatch(/2031/);
  });
});
