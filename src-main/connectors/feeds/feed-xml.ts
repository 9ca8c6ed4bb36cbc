/**
 * The XML side of reading feeds and OPML files. A DOCTYPE never reaches the parser, so no entity it
 * declares can be expanded, fetched or leave its text behind; the parser itself expands only the
 * five XML entities and character references. Elements are found by their lower-cased name with
 * the prefix written in the file (content:encoded, dc:creator), because feeds declare namespaces
 * carelessly but spell the common prefixes the same way.
 */
import { hasChildren, isTag, isText } from 'domhandler';
import type { Document, Element, ParentNode } from 'domhandler';
import { parseMarkup } from '../markup-tree.ts';

/** An element's children by name, built once per element so each field lookup is cheap. */
export type Fields = Map<string, Element[]>;

/** Feed and OPML elements that hold only elements, so the whitespace between those can go. */
const LAYOUT_ELEMENTS = new Set([
  'rss', 'channel', 'item', 'rdf', 'items', 'seq', 'image', 'textinput', 'feed', 'entry', 'author', 'contributor',
  'source', 'group', 'opml', 'head', 'body', 'outline',
]);

export function readXml(text: string): Document {
  return parseMarkup(stripDoctype(text), 'xml', { layoutElements: LAYOUT_ELEMENTS });
}

/**
 * Removes every DOCTYPE before the root element, internal subset and all, in one pass. A scan
 * rather than a regular expression: quotes, brackets and comments decide where it ends, and a
 * pattern that knew them would backtrack on a hostile subset.
 */
export function stripDoctype(text: string): string {
  let kept = '';
  let from = 0;
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    if (open < 0) break;
    if (text.startsWith('<?', open)) {
      const end = text.indexOf('?>', open + 2);
      if (end < 0) break;
      at = end + 2;
    } else if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end < 0) break;
      at = end + 3;
    } else if (text.slice(open + 2, open + 9).toLowerCase() === 'doctype' && text[open + 1] === '!') {
      kept += text.slice(from, open);
      from = at = doctypeEnd(text, open + 9);
    } else {
      break;
    }
  }
  return from === 0 ? text : kept + text.slice(from);
}

function doctypeEnd(text: string, start: number): number {
  let quote = '';
  let subset = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (subset && c === '<' && text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) break;
      i = end + 2;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      subset = true;
    } else if (c === ']') {
      subset = false;
    } else if (c === '>' && !subset) {
      return i + 1;
    }
  }
  // Never terminated: give up at the first '>' rather than swallow the document.
  const gt = text.indexOf('>', start);
  return gt < 0 ? text.length : gt + 1;
}

export function rootElement(document: Document): Element | undefined {
  return document.children.find(isTag);
}

/** Prefix-free names for a format written with one (`atom:entry`) pass `dropPrefix` ('atom:'). */
export function fieldsOf(element: Element | undefined, dropPrefix?: string): Fields {
  const fields: Fields = new Map();
  if (!element) return fields;
  for (const child of element.children) {
    if (!isTag(child)) continue;
    const name = dropPrefix && child.name.startsWith(dropPrefix) ? child.name.slice(dropPrefix.length) : child.name;
    const list = fields.get(name);
    if (list) list.push(child);
    else fields.set(name, [child]);
  }
  return fields;
}

export function first(fields: Fields, ...names: string[]): Element | undefined {
  for (const name of names) {
    const found = fields.get(name)?.[0];
    if (found) return found;
  }
  return undefined;
}

export function all(fields: Fields, ...names: string[]): Element[] {
  return names.flatMap((name) => fields.get(name) ?? []);
}

/** The text of an element and everything inside it; CDATA is text already. */
export function textOf(node: ParentNode | undefined): string {
  if (!node) return '';
  const only = node.children.length === 1 ? node.children[0] : undefined;
  if (only && isText(only)) return only.data;
  const parts: string[] = [];
  // The tree is at most MAX_TREE_DEPTH deep, so recursion is safe here.
  const visit = (parent: ParentNode) => {
    for (const child of parent.children) {
      if (isText(child)) parts.push(child.data);
      else if (hasChildren(child)) visit(child);
    }
  };
  visit(node);
  return parts.join('');
}

/** Trimmed text, or undefined when there is none. */
export function fieldText(element: Element | undefined): string | undefined {
  const text = textOf(element).trim();
  return text === '' ? undefined : text;
}

export function attribute(element: Element | undefined, name: string): string | undefined {
  const value = element?.attribs[name]?.trim();
  return value ? value : undefined;
}

/** The base for URLs inside `element`: its xml:base resolved against the base around it. */
export function withBase(element: Element | undefined, base: string): string {
  const own = attribute(element, 'xml:base');
  if (!own) return base;
  try {
    return new URL(own, base).href;
  } catch {
    return base;
  }
}

/** An absolute http(s) URL, or undefined for anything else (relative without base, javascript:, data:). */
export function webUrl(href: string | undefined, base: string | undefined): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The children named `name`, and any nested inside them: a feed that forgets to close an entry
 * nests the next one inside it, and both should still be read.
 */
export function childrenNamed(container: Element | undefined, name: string): Element[] {
  const found: Element[] = [];
  const visit = (parent: Element) => {
    for (const child of parent.children) {
      if (!isTag(child) || child.name !== name) continue;
      found.push(child);
      visit(child);
    }
  };
  if (container) visit(container);
  return found;
}
