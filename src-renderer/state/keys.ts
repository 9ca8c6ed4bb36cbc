/**
 * The keyboard shortcuts, in one table: the window's key handler and the "Keyboard shortcuts"
 * dialog both read it, so what the dialog lists is what the keys do.
 */

export type KeyCommand =
  | 'next'
  | 'previous'
  | 'open'
  | 'back'
  | 'done'
  | 'snooze'
  | 'star'
  | 'delete'
  | 'spam'
  | 'toggle-read'
  | 'mark-read'
  | 'mark-unread'
  | 'select'
  | 'select-all'
  | 'undo'
  | 'reply'
  | 'search'
  | 'go-inbox'
  | 'go-snoozed'
  | 'go-done'
  | 'go-starred'
  | 'mark-view-read'
  | 'menu'
  | 'why'
  | 'help';

export interface Shortcut {
  /** How the dialog writes the keys, one entry per alternative ("g i" is g, then i). */
  keys: string[];
  command: KeyCommand;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['j', '↓'], command: 'next', description: 'Next item' },
  { keys: ['k', '↑'], command: 'previous', description: 'Previous item' },
  { keys: ['Enter', 'o'], command: 'open', description: 'Open the item' },
  { keys: ['Esc'], command: 'back', description: 'Back to the list' },
  { keys: ['e'], command: 'done', description: 'Done (in Done: back to the Inbox)' },
  { keys: ['b'], command: 'snooze', description: 'Snooze…' },
  { keys: ['s'], command: 'star', description: 'Star or unstar' },
  { keys: ['#'], command: 'delete', description: 'Delete' },
  { keys: ['!'], command: 'spam', description: 'Mark as spam (mail)' },
  { keys: ['u'], command: 'toggle-read', description: 'Mark as read or unread' },
  { keys: ['Shift+I'], command: 'mark-read', description: 'Mark as read' },
  { keys: ['Shift+U'], command: 'mark-unread', description: 'Mark as unread' },
  { keys: ['x'], command: 'select', description: 'Select or unselect the item' },
  { keys: ['Ctrl+A'], command: 'select-all', description: 'Select every item in the list' },
  { keys: ['z'], command: 'undo', description: 'Undo the last action' },
  { keys: ['r'], command: 'reply', description: 'Reply (mail or chat)' },
  { keys: ['/'], command: 'search', description: 'Search' },
  { keys: ['g i'], command: 'go-inbox', description: 'Go to Inbox' },
  { keys: ['g s'], command: 'go-snoozed', description: 'Go to Snoozed' },
  { keys: ['g d'], command: 'go-done', description: 'Go to Done' },
  { keys: ['g t'], command: 'go-starred', description: 'Go to Starred' },
  { keys: ['Shift+Esc'], command: 'mark-view-read', description: 'Mark everything in this view read' },
  { keys: ['Shift+F10', 'Menu'], command: 'menu', description: 'Open the item’s menu of actions' },
  { keys: ['w'], command: 'why', description: 'Why the open item notified, counts or is read' },
  { keys: ['?'], command: 'help', description: 'Show these shortcuts' },
];

/** The parts of a KeyboardEvent the table looks at. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const PLAIN: Readonly<Record<string, KeyCommand>> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'previous',
  ArrowUp: 'previous',
  Enter: 'open',
  o: 'open',
  Escape: 'back',
  e: 'done',
  b: 'snooze',
  s: 'star',
  '#': 'delete',
  '!': 'spam',
  u: 'toggle-read',
  I: 'mark-read',
  U: 'mark-unread',
  x: 'select',
  z: 'undo',
  r: 'reply',
  '/': 'search',
  w: 'why',
  '?': 'help',
};

const AFTER_G: Readonly<Record<string, KeyCommand>> = { i: 'go-inbox', s: 'go-snoozed', d: 'go-done', t: 'go-starred' };

/**
 * What a key press means. `afterG` is true when the previous press was a lone `g`; the answer
 * 'g' says this press starts such a pair. `#`, `!` and `?` are typed with Shift on most layouts,
 * so Shift only matters where the table names it (Shift+I, Shift+U, Shift+Esc).
 */
export function commandForKey(press: KeyPress, afterG: boolean): KeyCommand | 'g' | null {
  if (press.altKey) return null;
  if (press.ctrlKey || press.metaKey) return press.key.toLowerCase() === 'a' && !press.shiftKey ? 'select-all' : null;
  if (afterG) return AFTER_G[press.key] ?? null;
  if (press.key === 'g' && !press.shiftKey) return 'g';
  if (press.key === 'Escape' && press.shiftKey) return 'mark-view-read';
  if (press.key === 'ContextMenu' || (press.key === 'F10' && press.shiftKey)) return 'menu';
  // Shift with a letter gives its capital; only the capitals in the table mean anything.
  if (press.shiftKey && /^[a-z]$/i.test(press.key) && press.key !== 'I' && press.key !== 'U') return null;
  return Object.hasOwn(PLAIN, press.key) ? PLAIN[press.key]! : null;
}
