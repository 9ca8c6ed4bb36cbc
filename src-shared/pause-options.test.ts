import { describe, expect, it } from 'vitest';
import { isPaused, pausedText, pauseUntil } from './pause-options.ts';

const at = (y: number, m: number, d: number, h: number, min = 0): number => new Date(y, m - 1, d, h, min).getTime();

describe('pause choices', () => {
  it('pauses for an hour, or until eight tomorrow morning local time', () => {
    const now = at(2026, 12, 7, 14, 20);
    expect(pauseUntil('hour', now)).toBe(now + 3_600_000);
    expect(pauseUntil('tomorrow', now)).toBe(at(2026, 12, 8, 8));
    // Across a month's end and just before midnight.
    expect(pauseUntil('tomorrow', at(2026, 12, 31, 23, 59))).toBe(at(2027, 1, 1, 8));
  });

  it('says until when, and is over once that time has come', () => {
    const now = at(2026, 12, 7, 14, 20);
    expect(pausedText(pauseUntil('hour', now), now)).toBe('Paused until 15:20');
    expect(pausedText(pauseUntil('tomorrow', now), now)).toBe('Paused until tomorrow 08:00');
    expect(pausedText(at(2026, 12, 10, 9), now)).toMatch(/^Paused until Thu 10 Dec 09:00$/);
    expect(isPaused(now + 1, now)).toBe(true);
    expect(isPaused(now, now)).toBe(false);
    expect(isPaused(null, now)).toBe(false);
  });
});
