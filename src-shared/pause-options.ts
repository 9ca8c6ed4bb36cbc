/**
 * "Pause notifications": the same choices, with the same end times, in the tray menu, the window's
 * pause control and the Preferences dialog. Counts still move while paused; only banners wait.
 */

export type PauseChoice = 'hour' | 'tomorrow';

export const PAUSE_CHOICES: readonly { choice: PauseChoice; label: string }[] = [
  { choice: 'hour', label: 'For 1 hour' },
  { choice: 'tomorrow', label: 'Until tomorrow' },
];

/** "Until tomorrow" ends at this hour of the next day, local time. */
export const TOMORROW_HOUR = 8;

/** When a pause chosen at `now` ends (ms since the epoch), in the machine's local time. */
export function pauseUntil(choice: PauseChoice, now: number): number {
  if (choice === 'hour') return now + 60 * 60 * 1000;
  const end = new Date(now);
  end.setDate(end.getDate() + 1);
  end.setHours(TOMORROW_HOUR, 0, 0, 0);
  return end.getTime();
}

/** Whether notifications are paused at `now`. */
export function isPaused(pausedUntil: number | null | undefined, now: number): boolean {
  return typeof pausedUntil === 'number' && pausedUntil > now;
}

/** "Paused until 15:30" / "Paused until tomorrow 08:00" / "Paused until Mon 08:00". */
export function pausedText(pausedUntil: number, now: number): string {
  const end = new Date(pausedUntil);
  const time = `${String(end.getHours()).padStart(2, '0')}:${String(end.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const today = day(new Date(now));
  const days = Math.round((day(end) - today) / 86_400_000);
  if (days <= 0) return `Paused until ${time}`;
  if (days === 1) return `Paused until tomorrow ${time}`;
  return `Paused until ${end.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}
