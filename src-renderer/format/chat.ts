/**
 * How a room's timeline is laid out as words and rows: day separators, sender grouping and the
 * typing line. Plain data, so every rule is unit-tested; ChatTimeline only draws the rows.
 */
import type { ChatMessage } from '../../src-shared/api.ts';

/** Consecutive messages of one sender this close together show the name once. */
export const GROUP_WITHIN_MS = 5 * 60_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function startOfDay(timestamp: number): number {
  const d = new Date(timestamp);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** "Today", "Yesterday", "Monday, Mar 3" this year, "Mar 3, 2023" before. Local time. */
export function formatDay(timestamp: number, now: number): string {
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) return '';
  const days = Math.round((startOfDay(now) - startOfDay(timestamp)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const day = `${MONTHS[at.getMonth()]} ${at.getDate()}`;
  return at.getFullYear() === new Date(now).getFullYear() ? `${WEEKDAYS[at.getDay()]}, ${day}` : `${day}, ${at.getFullYear()}`;
}

/** "14:05", beside each message. */
export function formatClock(timestamp: number): string {
  const at = new Date(timestamp);
  return Number.isNaN(at.getTime()) ? '' : `${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
}

export type TimelineRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'notice'; key: string; message: ChatMessage }
  | { kind: 'message'; key: string; message: ChatMessage; showSender: boolean };

/** The messages (oldest first) with a separator before each new day and the sender shown where a group starts. */
export function timelineRows(messages: readonly ChatMessage[], now: number): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previous: ChatMessage | undefined;
  let day: number | undefined;
  for (const message of messages) {
    const thisDay = startOfDay(message.timestamp);
    const newDay = thisDay !== day;
    if (newDay) rows.push({ kind: 'day', key: `day-${thisDay}`, label: formatDay(message.timestamp, now) });
    day = thisDay;
    if (message.kind === 'membership') {
      rows.push({ kind: 'notice', key: message.id, message });
      previous = undefined;
      continue;
    }
    const continues =
      !newDay &&
      previous !== undefined &&
      previous.senderId === message.senderId &&
      message.timestamp - previous.timestamp < GROUP_WITHIN_MS;
    rows.push({ kind: 'message', key: message.id, message, showSender: !continues });
    previous = message;
  }
  return rows;
}

/** "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and 2 others are typing…"; '' for nobody. */
export function typingText(names: readonly string[]): string {
  const [a, b, c] = names;
  if (a === undefined) return '';
  if (b === undefined) return `${a} is typing…`;
  if (c === undefined) return `${a} and ${b} are typing…`;
  if (names.length === 3) return `${a}, ${b} and ${c} are typing…`;
  return `${a}, ${b} and ${names.length - 2} others are typing…`;
}

/** A quoted message cut to one readable line for the reply chip and the quote block. */
export function quoteLine(body: string, max = 140): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Reactions as the chip reads them aloud: "👍 2, including you". */
export function reactionLabel(reaction: ChatMessage['reactions'][number]): string {
  return `${reaction.key} ${reaction.count}${reaction.mine ? ', including you' : ''}`;
}

/** A file name to save an attachment under: the sender's name, minus what no file system allows. */
export function downloadName(name: string, fallback = 'image'): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  return cleaned === '' ? fallback : cleaned;
}

/** The image's box before it loads: its own size, scaled down to fit `max` on the longer side. */
export function imageBox(width: number | undefined, height: number | undefined, max = 320): { width: number; height: number } | undefined {
  if (width === undefined || height === undefined || !(width > 0) || !(height > 0)) return undefined;
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
