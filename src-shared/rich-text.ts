/**
 * Formatted content from untrusted sources (feed entries today, chat messages later) crosses into
 * the renderer as this tree, never as an HTML string. The hub builds it from an allow-list, so a tag,
 * attribute or URL scheme that is not listed here cannot reach the screen; the renderer maps each
 * node to a React element and never uses innerHTML.
 */

export type RichTag =
  | 'p' | 'br' | 'hr' | 'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6'
  | 'strong' | 'em' | 'del' | 'sub' | 'sup' | 'code' | 'pre' | 'blockquote'
  | 'ul' | 'ol' | 'li' | 'table' | 'thead' | 'tbody' | 'tr' | 'th' | 'td'
  | 'a' | 'img';

export interface RichElement {
  tag: RichTag;
  children: RichNode[];
  /** Only on `a`: an absolute http:, https: or mailto: URL. */
  href?: string;
  /**
   * Only on `img`: an absolute https: or http: URL, which the renderer loads only when the user allows
   * it, or (chat) an mxc:// URI, fetched through the hub's media call.
   */
  src?: string;
  /** Only on `img`. */
  alt?: string;
}

/** A string is a run of plain text. */
export type RichNode = string | RichElement;

export const RICH_TAGS: ReadonlySet<RichTag> = new Set<RichTag>([
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'strong', 'em', 'del', 'sub', 'sup', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'img',
]);

/** The schemes a link in untrusted content may use. */
export function isSafeLinkUrl(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url);
}
