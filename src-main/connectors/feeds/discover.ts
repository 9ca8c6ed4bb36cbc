/**
 * A user often pastes a site's address rather than its feed's. Sites name their feeds in the page
 * head with <link rel="alternate" type="…">; this finds them, as browsers and readers always have.
 */
import { isTag } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import { parseMarkup } from '../markup-tree.ts';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/json',
  'application/rdf+xml',
]);

/** How far into a response the start of an HTML page is looked for. */
const HEAD_CHARS = 1024;

/** Feed addresses the page links to, absolute, without repeats, in the order the page gives them. */
export function discoverFeedLinks(html: string, pageUrl: string): string[] {
  const links: Element[] = [];
  let baseHref: string | undefined;
  // Document order without recursion: a stack of child lists, each read from its front.
  const stack: { nodes: AnyNode[]; next: number }[] = [{ nodes: parseMarkup(html, 'html').children, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const node = top.nodes[top.next++];
    if (node === undefined) {
      stack.pop();
      continue;
    }
    if (!isTag(node)) continue;
    if (node.name === 'base' && baseHref === undefined && node.attribs['href']?.trim()) baseHref = node.attribs['href'];
    else if (node.name === 'link') links.push(node);
    if (node.children.length > 0) stack.push({ nodes: node.children, next: 0 });
  }
  const base = resolve(baseHref, pageUrl) ?? pageUrl;
  const found = new Set<string>();
  for (const link of links) {
    const rel = (link.attribs['rel'] ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
    const type = (link.attribs['type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!rel.includes('alternate') || !FEED_TYPES.has(type)) continue;
    const href = resolve(link.attribs['href'], base);
    if (href && /^https?:/.test(href)) found.add(href);
  }
  return [...found];
}

/** Whether a response is a web page (doctype html or an <html> element before any feed root). */
export function looksLikeHtmlPage(text: string): boolean {
  const head = text.slice(0, HEAD_CHARS).toLowerCase();
  // JSON (a JSON Feed quoting HTML in its first item) is never a page.
  if (/^[\ufeff\s]*[{[]/.test(head)) return false;
  const page = head.search(/<!doctype\s+html|<html[\s>]/);
  if (page < 0) return false;
  // A feed whose first entry quotes a page in CDATA is still a feed.
  const feed = head.search(/<(rss|feed|rdf:rdf)[\s>]/);
  return feed < 0 || page < feed;
}

function resolve(href: string | undefined, base: string): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return undefined;
  }
}
