/**
 * How far an account's first sync is, in one line every surface shows alike (the window's inbox,
 * the sidebar, `sync --once` on a terminal): "Work: 1,240 of 2,000 messages".
 */
import type { ConnectionState, SourceKind } from './domain.ts';

const UNITS: Record<SourceKind, string> = { mail: 'messages', chat: 'rooms', feed: 'entries' };

const count = (n: number) => Math.max(0, Math.round(n)).toLocaleString('en-US');

/** The line for an account that is syncing, or undefined when it is not. */
export function syncProgressLine(name: string, source: SourceKind, state: ConnectionState): string | undefined {
  if (state.state !== 'syncing') return undefined;
  // A total of one or less is a step, not a count of anything (Matrix's first /sync).
  if (state.total <= 1) return `${name}: first sync…`;
  return `${name}: ${count(Math.min(state.done, state.total))} of ${count(state.total)} ${UNITS[source]}`;
}
