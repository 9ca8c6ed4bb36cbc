/**
 * How long each stored or shown text may be, for every source alike, and the one way text is cut.
 * Servers and feeds are untrusted: a feed title of a million characters froze the window and rode
 * in every inbox page, so every field is cut here, at the hub's boundary, before it is stored or
 * leaves the hub. The README's "Text limits" section lists this table; keep the two in step.
 */
import type { RichNode } from '../../src-shared/rich-text.ts';

/** In UTF-16 code units (what `String.length` counts), the ellipsis included. */
export const TEXT_LIMITS = {
  /** A subject, an entry title, a room name: more than a list row or a pane heading can show. */
  title: 500,
  /** A sender's name (or address when there is no name), a chat sender, a typing person. */
  sender: 200,
  /** The preview under the title. */
  snippet: 400,
  /** Text indexed for search beyond the snippet (the start of a mail or entry body). */
  searchText: 20_000,
  /** Groups a thread (mail message ids, a room id, a feed): never shown, only compared. */
  conversationKey: 1_000,
  /** An account's name, including a feed's own title taken as its name at add or OPML import. */
  displayName: 200,
  /** A reading-pane header's name ("From", "Feed") and its value. */
  headerName: 100,
  headerValue: 2_000,
  /** Headers per item: a mail with thousands of them shows the first ones. */
  headers: 50,
  /** The reading pane's plain body, and the text inside its formatted body (counted over all its runs). */
  bodyText: 200_000,
  /** Elements of a formatted body: a tree deeper or wider than this is cut where it passes the count. */
  bodyNodes: 20_000,
  /** Nesting of a formatted body: deeper elements are left out (the sanitizers keep to this already). */
  bodyDepth: 64,
  /** A room's topic in the chat header. */
  topic: 1_000,
  /** One chat message's text: a Matrix event is at most 65,536 bytes, so no message a server accepted is cut. */
  chatBody: 65_536,
  /** A reaction's key (an emoji, or a short text some clients allow). */
  reaction: 64,
  /** An attachment's file name. */
  fileName: 200,
} as const;

export type TextField = keyof typeof TEXT_LIMITS;

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * `text` at most `max` code units long: cut at the last whole grapheme (a letter with its accents,
 * an emoji sequence) that fits beside an ellipsis, so no letter loses half of itself. A single
 * grapheme longer than the cap (a letter under 100,000 combining marks) is cut between code points.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  // Only the segment at the cut is looked at: segmenting a megabyte to find one boundary is waste.
  const at = graphemes.segment(text).containing(end);
  if (at && at.index > 0 && at.index < end) end = at.index;
  else if (isLowSurrogate(text.charCodeAt(end))) end -= 1;
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}

export function cutField(text: string, field: TextField): string {
  return cutText(text, TEXT_LIMITS[field]);
}

/**
 * A formatted body within the body limits: text runs count against one budget, elements against
 * another, nesting against a third; what passes any is left out, and the last run that fits is cut with an ellipsis.
 */
export function cutRich(nodes: readonly RichNode[], textBudget: number = TEXT_LIMITS.bodyText, nodeBudget: number = TEXT_LIMITS.bodyNodes): RichNode[] {
  const left = { text: textBudget, nodes: nodeBudget };
  const walk = (list: readonly RichNode[], depth: number): RichNode[] => {
    const out: RichNode[] = [];
    if (depth > TEXT_LIMITS.bodyDepth) return out;
    for (const node of list) {
      if (left.text <= 0 || left.nodes <= 0) break;
      left.nodes -= 1;
      if (typeof node === 'string') {
        const cut = node.length <= left.text ? node : cutText(node, Math.max(left.text, ELLIPSIS.length));
        left.text -= node.length;
        out.push(cut);
      } else {
        out.push({ ...node, children: walk(node.children, depth + 1), ...(node.alt !== undefined ? { alt: cutText(node.alt, TEXT_LIMITS.title) } : {}) });
      }
    }
    return out;
  };
  return walk(nodes, 1);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
