/**
 * Quiet hours: a daily schedule in local wall-clock time, which may span midnight ("22:00–07:00").
 * Wall-clock minutes are read in the given time zone, so a DST change moves the instant quiet hours
 * end but never the time on the clock: the night they span is an hour shorter or longer. A start or
 * end that the clock skips (02:30 on a spring-forward night) takes effect when the clock passes it.
 */
import type { QuietHours } from '../../../src-shared/attention.ts';
import { InputError } from '../../common/input.ts';

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** "7:05" or "07:05" → minutes after midnight; undefined when it is not a time of day. */
export function clockMinutes(text: string): number | undefined {
  const match = CLOCK.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** "HH:MM" with two digits each. */
export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Checks quiet hours from a client, writing the times as HH:MM. */
export function parseQuietHours(raw: unknown): QuietHours | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || raw === undefined || Array.isArray(raw)) throw new InputError('Quiet hours need a start and an end ("22:00" and "07:00"), or null to turn them off.', 'quietHours');
  const value = raw as Record<string, unknown>;
  const start = typeof value['start'] === 'string' ? clockMinutes(value['start']) : undefined;
  const end = typeof value['end'] === 'string' ? clockMinutes(value['end']) : undefined;
  if (start === undefined) throw new InputError('Quiet hours start at a time of day written HH:MM, 24-hour ("22:00").', 'start');
  if (end === undefined) throw new InputError('Quiet hours end at a time of day written HH:MM, 24-hour ("07:00").', 'end');
  if (start === end) throw new InputError('Quiet hours must start and end at different times (use pause to hold notifications for a whole day).', 'end');
  const breaks = value['priorityBreaksThrough'] ?? false;
  if (typeof breaks !== 'boolean') throw new InputError('priorityBreaksThrough must be true or false.', 'priorityBreaksThrough');
  return { start: formatClock(start), end: formatClock(end), priorityBreaksThrough: breaks };
}

/** Minutes after midnight on the wall clock of `timeZone` (the system's when undefined). */
export function wallMinutes(at: number, timeZone?: string): number {
  const parts = formatter(timeZone).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0) % 24;
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) });
    formatters.set(key, found);
  }
  return found;
}

export function isQuiet(quiet: QuietHours, at: number, timeZone?: string): boolean {
  const now = wallMinutes(at, timeZone);
  const start = clockMinutes(quiet.start)!;
  const end = clockMinutes(quiet.end)!;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The next instant after `at` when quiet hours begin or end, to the minute. Scans from just before
 * the time the wall clock would reach the nearer boundary, so a DST shift either way is found.
 */
export function nextQuietChange(quiet: QuietHours, at: number, timeZone?: string): number {
  const quietNow = isQuiet(quiet, at, timeZone);
  const now = wallMinutes(at, timeZone);
  const target = clockMinutes(quietNow ? quiet.end : quiet.start)!;
  const ahead = (target - now + DAY_MINUTES) % DAY_MINUTES || DAY_MINUTES;
  const minuteStart = at - (at % MINUTE_MS);
  // Two hours either side covers every DST rule in use (Lord Howe's half hour included).
  let t = Math.max(minuteStart + MINUTE_MS, minuteStart + (ahead - 120) * MINUTE_MS);
  const last = minuteStart + (ahead + 120) * MINUTE_MS;
  for (; t <= last; t += MINUTE_MS) if (isQuiet(quiet, t, timeZone) !== quietNow) return t;
  return minuteStart + ahead * MINUTE_MS;
}

/** The next time the wall clock shows `hhmm` after `at` (a pause "until tomorrow" ends at the morning's). */
export function nextWallClock(minutes: number, at: number, timeZone?: string): number {
  const schedule: QuietHours = { start: formatClock(minutes), end: formatClock((minutes + 1) % DAY_MINUTES), priorityBreaksThrough: false };
  return isQuiet(schedule, at, timeZone) ? nextQuietChange(schedule, nextQuietChange(schedule, at, timeZone), timeZone) : nextQuietChange(schedule, at, timeZone);
}
