/**
 * One-line text from a server (a subject, a sender, a room or feed name) as the hub stores and
 * shows it: on one line, without the invisible characters that let a sender rearrange or hide
 * what the reader sees, and within its length.
 */
import { cutText } from './text-limits.ts';

/**
 * Bidi embeddings, overrides, isolates and marks: LRE RLE PDF LRO RLO (U+202A–U+202E), LRI RLI
 * FSI PDI (U+2066–U+2069), LRM RLM (U+200E, U+200F) and ALM (U+061C).
 *
 * Removed rather than made visible: in a one-line field they have no use the window does not
 * already give. The renderer isolates every untrusted string and takes its direction from its
 * first strong letter (`dir="auto"`), so Arabic and Hebrew subjects still read right to left with
 * their letters untouched, while an override that turns "gpj.exe" into "exe.jpg" is gone. Showing
 * them instead would put marks into ordinary right-to-left mail, whose clients insert LRM and RLM
 * around numbers and punctuation all the time, and teach readers to ignore the marks.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** C0 and C1 controls, DEL, line and paragraph separators, and a byte-order mark in mid-text. */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/g;

/**
 * A letter carries a few combining marks at most (Vietnamese two, Tibetan stacks four or five);
 * "Zalgo" text piles up thousands, drawn over the rows above and below.
 */
const MAX_MARKS_PER_LETTER = 8;
const MARK_RUN = new RegExp(`(\\p{M}{${MAX_MARKS_PER_LETTER}})\\p{M}+`, 'gu');

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Controls and bidi controls gone, runs of marks shortened, whitespace collapsed, then cut to `max`. */
export function displayLine(text: string | undefined, max: number): string {
  if (!text) return '';
  // Most text is printable ASCII, where only doubled spaces can need work: five times cheaper per item.
  const clean = PRINTABLE_ASCII.test(text)
    ? text.replace(/ {2,}/g, ' ').trim()
    : text.replace(CONTROLS, ' ').replace(BIDI_CONTROLS, '').replace(MARK_RUN, '$1').replace(/\s+/g, ' ').trim();
  return cutText(clean, max);
}
