/**
 * Quiet hours over a table of wall-clock times: within one day, across midnight, and across both
 * DST changes of Europe/Berlin (2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00) and of
 * America/New_York, where the schedule keeps its clock times and the night grows or shrinks.
 */
import { describe, expect, it } from 'vitest';
import type { QuietHours } from '../../../src-shared/attention.ts';
import { clockMinutes, isQuiet, nextQuietChange, nextWallClock, parseQuietHours, wallMinutes } from './quiet-hours.ts';

const night: QuietHours = { start: '22:00', end: '07:00', priorityBreaksThrough: false };
const lunch: QuietHours = { start: '12:00', end: '13:30', priorityBreaksThrough: false };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** An instant from its UTC spelling. */
const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it.each([
    ['before a same-day window', lunch, '2026-06-10T09:59:00Z', false],
    ['at its start', lunch, '2026-06-10T10:00:00Z', true],
    ['inside it', lunch, '2026-06-10T11:29:00Z', true],
    ['at its end (the end is not quiet)', lunch, '2026-06-10T11:30:00Z', false],
    ['in the evening before a night window', night, '2026-06-10T19:59:00Z', false],
    ['at 22:00', night, '2026-06-10T20:00:00Z', true],
    ['just after midnight', night, '2026-06-10T22:05:00Z', true],
    ['at 06:59', night, '2026-06-11T04:59:00Z', true],
    ['at 07:00', night, '2026-06-11T05:00:00Z', false],
    // Spring forward in Berlin: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    ['the spring-forward night at 01:59 CET', night, '2026-03-29T00:59:00Z', true],
    ['the spring-forward night at 06:59 CEST', night, '2026-03-29T04:59:00Z', true],
    ['the spring-forward morning at 07:00 CEST (05:00 UTC, an hour earlier than in winter)', night, '2026-03-29T05:00:00Z', false],
    // Fall back: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
    ['the fall-back night at 06:59 CET', night, '2026-10-25T05:59:00Z', true],
    ['the fall-back morning at 07:00 CET (06:00 UTC, an hour later than in summer)', night, '2026-10-25T06:00:00Z', false],
  ])('%s', (_case, quiet, iso, expected) => {
    expect(isQuiet(quiet, at(iso), BERLIN)).toBe(expected);
  });

  it('finds when a night ends and begins, across a DST change either way', () => {
    // 23:00 CET on the night clocks go forward: quiet until 07:00 CEST = 05:00 UTC.
    expect(new Date(nextQuietChange(night, at('2026-03-28T22:00:00Z'), BERLIN)).toISOString()).toBe('2026-03-29T05:00:00.000Z');
    // The night clocks go back: quiet until 07:00 CET = 06:00 UTC.
    expect(new Date(nextQuietChange(night, at('2026-10-24T21:00:00Z'), BERLIN)).toISOString()).toBe('2026-10-25T06:00:00.000Z');
    // In the afternoon: the next change is 22:00 local.
    expect(new Date(nextQuietChange(night, at('2026-06-10T12:34:56Z'), BERLIN)).toISOString()).toBe('2026-06-10T20:00:00.000Z');
    expect(new Date(nextQuietChange(night, at('2026-03-08T12:00:00Z'), NEW_YORK)).toISOString()).toBe('2026-03-09T02:00:00.000Z');
  });

  it('takes a start the clock skips as soon as the clock passes it', () => {
    const skipped: QuietHours = { start: '02:30', end: '06:00', priorityBreaksThrough: false };
    // Berlin, 2026-03-29: 02:30 never shows; at 03:00 CEST (01:00 UTC) it is past 02:30, so quiet.
    expect(isQuiet(skipped, at('2026-03-29T00:59:00Z'), BERLIN)).toBe(false);
    expect(isQuiet(skipped, at('2026-03-29T01:00:00Z'), BERLIN)).toBe(true);
    expect(new Date(nextQuietChange(skipped, at('2026-03-28T23:00:00Z'), BERLIN)).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('reads the wall clock of the given zone', () => {
    expect(wallMinutes(at('2026-01-15T23:30:00Z'), BERLIN)).toBe(30);
    expect(wallMinutes(at('2026-01-15T23:30:00Z'), NEW_YORK)).toBe(18 * 60 + 30);
  });

  it('finds the next morning for "until tomorrow"', () => {
    expect(new Date(nextWallClock(8 * 60, at('2026-06-10T18:00:00Z'), BERLIN)).toISOString()).toBe('2026-06-11T06:00:00.000Z');
    expect(new Date(nextWallClock(8 * 60, at('2026-06-10T05:00:00Z'), BERLIN)).toISOString()).toBe('2026-06-10T06:00:00.000Z');
    expect(new Date(nextWallClock(8 * 60, at('2026-06-10T06:00:30Z'), BERLIN)).toISOString()).toBe('2026-06-11T06:00:00.000Z');
  });

  it('checks what a client sends, naming the field', () => {
    expect(parseQuietHours({ start: '7:05', end: '22:00' })).toEqual({ start: '07:05', end: '22:00', priorityBreaksThrough: false });
    expect(parseQuietHours(null)).toBeNull();
    expect(() => parseQuietHours({ start: '25:00', end: '07:00' })).toThrow(/HH:MM/);
    expect(() => parseQuietHours({ start: '22:00', end: '7pm' })).toThrow(/end at a time of day/);
    expect(() => parseQuietHours({ start: '22:00', end: '22:00' })).toThrow(/different times/);
    expect(() => parseQuietHours({ start: '22:00', end: '07:00', priorityBreaksThrough: 'yes' })).toThrow(/true or false/);
    expect(clockMinutes('23:59')).toBe(23 * 60 + 59);
    expect(clockMinutes('24:00')).toBeUndefined();
  });
});
