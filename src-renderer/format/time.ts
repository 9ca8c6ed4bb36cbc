/**
 * Short, dense times for list rows. Month names are fixed English so a row is as wide in
 * every locale and the tests do not depend on the machine's ICU data.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Today → "14:05", this year → "Mar 3", otherwise "Mar 3, 2023". Local time. */
export function formatItemTime(timestamp: number, now: number): string {
  const at = new Date(timestamp);
  const today = new Date(now);
  if (Number.isNaN(at.getTime())) return '';
  const sameYear = at.getFullYear() === today.getFullYear();
  if (sameYear && at.getMonth() === today.getMonth() && at.getDate() === today.getDate()) {
    return `${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
  }
  const day = `${MONTHS[at.getMonth()]} ${at.getDate()}`;
  return sameYear ? day : `${day}, ${at.getFullYear()}`;
}

/** The full form for tooltips and the reading pane: "Mar 3, 2025, 14:05". */
export function formatFullTime(timestamp: number): string {
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) return '';
  return `${MONTHS[at.getMonth()]} ${at.getDate()}, ${at.getFullYear()}, ${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
}

/** "retry in 5s" / "retry in 2m" for an offline account; never negative. */
export function formatRetryIn(nextRetryAt: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
  if (seconds < 90) return `${seconds}s`;
  return `${Math.round(seconds / 60)}m`;
}

/** "just now" / "5m ago" / "3h ago" / "2d ago" for when something last happened. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}
