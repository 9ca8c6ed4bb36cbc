/**
 * The times the Snooze menu offers, in the user's local time: later today (in three hours, on the
 * hour), tomorrow at 09:00, next Monday at 09:00.
 */

export type SnoozeChoice = 'later-today' | 'tomorrow' | 'next-week';

export const SNOOZE_CHOICES: readonly { choice: SnoozeChoice; label: string }[] = [
  { choice: 'later-today', label: 'Later today' },
  { choice: 'tomorrow', label: 'Tomorrow' },
  { choice: 'next-week', label: 'Next week' },
];

const MORNING_HOUR = 9;

export function snoozeUntil(choice: SnoozeChoice, now: number): number {
  const at = new Date(now);
  switch (choice) {
    case 'later-today': {
      at.setMinutes(0, 0, 0);
      at.setHours(at.getHours() + 3);
      return at.getTime();
    }
    case 'tomorrow':
      at.setDate(at.getDate() + 1);
      at.setHours(MORNING_HOUR, 0, 0, 0);
      return at.getTime();
    case 'next-week': {
      // Monday is 1; on a Monday "next week" is a week on.
      const days = ((8 - at.getDay()) % 7) || 7;
      at.setDate(at.getDate() + days);
      at.setHours(MORNING_HOUR, 0, 0, 0);
      return at.getTime();
    }
    default: {
      const unknown: never = choice;
      throw new Error(`Unknown snooze choice ${String(unknown)}`);
    }
  }
}

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** "Thu 18:00" within the coming week; further off the date too ("15 Jan 2031, 09:30"), as a weekday alone would mislead. */
export function formatSnoozeTime(at: number, now = Date.now()): string {
  const time = { hour: '2-digit', minute: '2-digit', hour12: false } as const;
  if (at - now < WEEK - 60 * 60 * 1000) return new Date(at).toLocaleString(undefined, { weekday: 'short', ...time });
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Date(at).toLocaleString(undefined, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), ...time });
}

/** The value of an <input type="datetime-local"> (local time, no zone) as ms, or null when empty or invalid. */
export function parseLocalDateTime(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (m === null) return null;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(at.getTime()) ? null : at.getTime();
}

/** The datetime-local value for a time, for the field's default and minimum. */
export function toLocalDateTime(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
