/**
 * Untrusted HTML (feed entries today, chat messages later) becomes the RichNode tree the renderer
 * draws. Only the tags of src-shared/rich-text.ts survive, and of attributes only a link's href and
 * an image's src and alt, checked after resolving, so no handler, style or script scheme can reach
 * the screen. Parsing is linear however deep or broken the input (markup-tree.ts), and the output is
 * bounded in depth and size, so a hostile entry costs no more than its length.
 */
import { isCDATA, isTag, isText } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import { isSafeLinkUrl, RICH_TAGS } from '../../src-shared/rich-text.ts';
import type { RichElement, RichNode, RichTag } from '../../src-shared/rich-text.ts';
import { parseMarkup } from './markup-tree.ts';
import { BLOCK_TAGS, finishChildren, isBlank } from './rich-structure.ts';

/** Deeper elements give way to their content. */
export const MAX_RICH_DEPTH = 64;
export const MAX_RICH_NODES = 20_000;

/** Elements dropped with everything inside them: code, styling, embedded documents, forms, metadata. */
const DROPPED = new Set([
  'script', 'style', 'iframe', 'object', 'embed', 'applet', 'form', 'input', 'button', 'textarea', 'select',
  'datalist', 'noscript', 'template', 'svg', 'math', 'head', 'title', 'meta', 'link', 'base', 'frameset',
  'frame', 'noframes', 'noembed', 'param', 'source', 'track', 'colgroup', 'col',
]);

const RENAMED = new Map<string, RichTag>([
  ['b', 'strong'], ['i', 'em'], ['s', 'del'], ['strike', 'del'],
  ['tt', 'code'], ['kbd', 'code'], ['samp', 'code'], ['tfoot', 'tbody'],
]);

/** Page structure: a paragraph of its own when it holds only inline content, otherwise just its content. */
const SECTIONS = new Set([
  'div', 'section', 'article', 'aside', 'nav', 'header', 'footer', 'main', 'figure', 'figcaption',
  'address', 'center', 'details', 'summary', 'dl', 'dt', 'dd', 'caption', 'fieldset', 'legend', 'hgroup',
]);

/** Containers that hold inline content only: a block inside one gives way to its content. */
const PHRASING = new Set<RichTag>(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'sub', 'sup', 'code', 'a', 'pre']);
/** Where a section may become a paragraph (besides the top level). */
const FLOW = new Set<RichTag>(['blockquote', 'li', 'td', 'th']);
/** Containers that take only particular children; anything else is wrapped by finishChildren. */
const STRUCTURED = new Set<RichTag>(['ul', 'ol', 'table', 'thead', 'tbody', 'tr']);
/** Nothing left inside: not worth a node. */
const DROP_WHEN_EMPTY = new Set<RichTag>([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'sub', 'sup', 'code', 'a', 'pre',
  'blockquote', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr',
]);
const INLINE = new Set<RichTag>(['strong', 'em', 'del', 'sub', 'sup', 'code', 'a']);
/** Levels finishChildren may add inside a container (table > tbody > tr > td around stray text). */
const REPAIR_LEVELS = new Map<RichTag, number>([['table', 3], ['thead', 2], ['tbody', 2], ['tr', 1], ['ul', 1], ['ol', 1]]);

interface Place {
  /** The nearest kept element; undefined at the top level. */
  container: RichTag | undefined;
  /**
   * Depth in the output, counting the levels repairs may add. One more is kept free for a section
   * that becomes a paragraph around its content, which happens at most once on any path: nothing
   * inside a paragraph can hold a block.
   */
  level: number;
  pre: boolean;
  link: boolean;
}

/**
 * Which images survive: web pages and feeds link http(s) images; Matrix allows only its own mxc://
 * media (as Element does), so a message cannot make the client fetch an address of the sender's choosing.
 */
export type ImageSources = 'web' | 'mxc';

interface Walk {
  base: string | undefined;
  images: ImageSources;
  /** Nodes the output may still gain. */
  left: number;
  /** Counts text and elements that show something, so a section can tell it came out empty without rescanning its text. */
  content: number;
}

export function sanitizeHtml(html: string, baseUrl?: string, images: ImageSources = 'web'): RichNode[] {
  return sanitizeNodes(parseMarkup(html, 'html').children, baseUrl, images);
}

/** The same filter for nodes already parsed, such as an Atom entry's XHTML content. */
export function sanitizeNodes(nodes: readonly AnyNode[], baseUrl?: string, images: ImageSources = 'web'): RichNode[] {
  const out: RichNode[] = [];
  walk(nodes, out, { container: undefined, level: 0, pre: false, link: false }, { base: baseUrl, images, left: MAX_RICH_NODES, content: 0 });
  return finishChildren(undefined, out);
}

/** Plain text with one line per block, for titles, snippets and search. */
export function htmlToPlainText(html: string): string {
  if (!html.includes('<') && !html.includes('&')) return html.replace(/\s+/g, ' ').trim();
  return richToText(sanitizeHtml(html));
}

export function richToText(nodes: readonly RichNode[]): string {
  const parts: string[] = [];
  const visit = (list: readonly RichNode[]) => {
    for (const node of list) {
      if (typeof node === 'string') {
        parts.push(node);
      } else if (node.tag === 'br' || node.tag === 'hr') {
        parts.push('\n');
      } else if (node.tag === 'img') {
        // WordPress writes emoji as images; the alt text is the emoji.
        if (node.alt) parts.push(node.alt);
      } else if (node.tag === 'td' || node.tag === 'th') {
        visit(node.children);
        parts.push(' ');
      } else if (BLOCK_TAGS.has(node.tag)) {
        parts.push('\n');
        visit(node.children);
        parts.push('\n');
      } else {
        visit(node.children);
      }
    }
  };
  visit(nodes);
  return parts
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\r\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Plain text as paragraphs (split at blank lines) with line breaks kept. */
export function textToRich(text: string): RichNode[] {
  const out: RichNode[] = [];
  let left = MAX_RICH_NODES;
  for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n[ \t\f\v]*\n/)) {
    const children: RichNode[] = [];
    for (const line of paragraph.split('\n')) {
      const flat = line.replace(/[ \t\f\v]+/g, ' ').trim();
      if (flat === '' || left < 2) continue;
      if (children.length > 0) children.push({ tag: 'br', children: [] });
      children.push(flat);
      left -= 2;
    }
    if (children.length > 0) out.push({ tag: 'p', children });
  }
  return out;
}

function walk(nodes: readonly AnyNode[], out: RichNode[], place: Place, state: Walk): void {
  for (const node of nodes) {
    if (state.left <= 0) return;
    if (isText(node)) pushText(out, place.pre ? node.data : collapse(node.data), state);
    else if (isCDATA(node)) walk(node.children, out, place, state);
    else if (isTag(node)) element(node, out, place, state);
  }
}

function element(node: Element, out: RichNode[], place: Place, state: Walk): void {
  // XHTML in feeds may carry a prefix (xhtml:p); the local name decides, and a prefixed script is still a script.
  const name = node.name.slice(node.name.indexOf(':') + 1).toLowerCase();
  if (DROPPED.has(name)) return;
  if (SECTIONS.has(name)) return section(node, out, place, state);
  const roomForLeaf = place.level + 2 <= MAX_RICH_DEPTH;
  if (name === 'img') {
    if (!roomForLeaf) return;
    const image = imageOf(node, state);
    if (image) push(out, image, state);
    return;
  }
  const tag = RENAMED.get(name) ?? (RICH_TAGS.has(name as RichTag) ? (name as RichTag) : undefined);
  const href = tag === 'a' && !place.link ? linkOf(node.attribs['href'], state.base) : undefined;
  if (tag === undefined || (tag === 'a' && href === undefined)) return walk(node.children, out, place, state);
  if (tag === 'br' || tag === 'hr') {
    if (!roomForLeaf) pushText(out, ' ', state);
    else if (tag === 'br' || fits('hr', place.container)) push(out, { tag, children: [] }, state);
    else push(out, { tag: 'br', children: [] }, state);
    return;
  }
  const repairs = REPAIR_LEVELS.get(tag) ?? 0;
  if (!fits(tag, place.container) || place.level + 2 + repairs > MAX_RICH_DEPTH) {
    walk(node.children, out, place, state);
    if (tag === 'td' || tag === 'th') pushText(out, ' ', state);
    else if (BLOCK_TAGS.has(tag)) separate(out, place, state);
    return;
  }
  state.left--;
  const inner: RichNode[] = [];
  const pre = place.pre || tag === 'pre';
  walk(node.children, inner, { container: tag, level: place.level + 1 + repairs, pre, link: place.link || tag === 'a' }, state);
  const children = finishChildren(tag, inner, pre);
  if (DROP_WHEN_EMPTY.has(tag) && isBlank(children)) {
    if (INLINE.has(tag) && children.length > 0) pushText(out, ' ', state);
    return;
  }
  state.content++;
  out.push(href === undefined ? { tag, children } : { tag, children, href });
}

function section(node: Element, out: RichNode[], place: Place, state: Walk): void {
  const inner: RichNode[] = [];
  const before = state.content;
  walk(node.children, inner, place, state);
  if (state.content === before) return;
  const hasBlock = inner.some((child) => typeof child !== 'string' && BLOCK_TAGS.has(child.tag));
  const paragraphsAllowed = (place.container === undefined || FLOW.has(place.container)) && place.level < MAX_RICH_DEPTH;
  if (!paragraphsAllowed) {
    for (const child of inner) {
      if (typeof child === 'string') appendText(out, child, state);
      else out.push(child);
    }
    if (!hasBlock) separate(out, place, state);
    return;
  }
  // Text beside blocks ("intro<div>…</div>") becomes a paragraph of its own, so no line runs into a block.
  let run: RichNode[] = [];
  const flush = () => {
    const children = finishChildren('p', run, place.pre);
    if (!isBlank(children)) push(out, { tag: 'p', children }, state);
    run = [];
  };
  for (const child of inner) {
    if (typeof child !== 'string' && BLOCK_TAGS.has(child.tag)) {
      flush();
      out.push(child);
    } else {
      run.push(child);
    }
  }
  flush();
}

/** Whether a kept element may sit in this container; otherwise it gives way to its content. */
function fits(tag: RichTag, container: RichTag | undefined): boolean {
  switch (tag) {
    case 'tr':
      return container === 'table' || container === 'thead' || container === 'tbody';
    case 'td':
    case 'th':
      return container === 'tr';
    case 'thead':
    case 'tbody':
      return container === 'table';
    case 'li':
      return container === 'ul' || container === 'ol';
    default:
      return !BLOCK_TAGS.has(tag) || container === undefined || !PHRASING.has(container);
  }
}

/** Keeps the lines of a block that gave way apart, where a line break is allowed. */
function separate(out: RichNode[], place: Place, state: Walk): void {
  const last = out[out.length - 1];
  if (last === undefined || (typeof last !== 'string' && (last.tag === 'br' || BLOCK_TAGS.has(last.tag)))) return;
  if (place.container !== undefined && STRUCTURED.has(place.container)) return;
  if (place.level + 2 > MAX_RICH_DEPTH) pushText(out, ' ', state);
  else push(out, { tag: 'br', children: [] }, state);
}

function push(out: RichNode[], node: RichElement, state: Walk): void {
  if (state.left <= 0) return;
  state.left--;
  if (node.tag !== 'br') state.content++;
  out.push(node);
}

function pushText(out: RichNode[], text: string, state: Walk): void {
  if (text === '') return;
  if (/\S/.test(text)) state.content++;
  appendText(out, text, state);
}

/**
 * Joins text to the string before it without reading either: looking at the end of a joined string
 * copies all of it, and doing so at every join is quadratic in a paragraph of many small pieces.
 * finishChildren collapses the doubled spaces joins leave.
 */
function appendText(out: RichNode[], text: string, state: Walk): void {
  const last = out.length - 1;
  const previous = out[last];
  if (typeof previous === 'string') {
    out[last] = previous + text;
    return;
  }
  if (state.left <= 0) return;
  state.left--;
  out.push(text);
}

function imageOf(node: Element, state: Walk): RichElement | undefined {
  const src = absolute(node.attribs['src'], state.base);
  if (!src || !(state.images === 'mxc' ? /^mxc:\/\/[^/]+\/[^/?#]+$/ : /^https?:/).test(src)) return undefined;
  const alt = collapse(node.attribs['alt'] ?? '').trim();
  return alt ? { tag: 'img', children: [], src, alt } : { tag: 'img', children: [], src };
}

function linkOf(href: string | undefined, base: string | undefined): string | undefined {
  const url = absolute(href, base);
  return url !== undefined && isSafeLinkUrl(url) ? url : undefined;
}

/** The URL parser drops the spaces and control characters a browser would, so "\u0001javascript:" shows its scheme. */
function absolute(href: string | undefined, base: string | undefined): string | undefined {
  if (href === undefined || href.trim() === '') return undefined;
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

function collapse(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, ' ');
}
