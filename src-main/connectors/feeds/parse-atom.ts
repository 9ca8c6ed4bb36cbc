/**
 * Atom 1.0, and the 0.3 drafts old blogs still serve: text constructs typed text, html or xhtml,
 * the alternate link among several, authors inherited from the feed, and xml:base on the feed, the
 * entry, a link or the content.
 */
import { isTag } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import { richToText, sanitizeNodes } from '../rich-text.ts';
import { entryText, htmlBody, oneLine, plainTitle, textBody, uniqueTerms } from './entry-text.ts';
import type { Body } from './entry-text.ts';
import { parseFeedDate } from './feed-dates.ts';
import { all, attribute, childrenNamed, fieldsOf, fieldText, first, textOf, webUrl, withBase } from './feed-xml.ts';
import type { Fields } from './feed-xml.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';

const ALTERNATE = new Set(['alternate', 'http://www.iana.org/assignments/relation/alternate']);

export function readAtom(root: Element, feedUrl: string): ParsedFeed {
  // A feed written as <atom:feed> names every element with that prefix.
  const colon = root.name.indexOf(':');
  const prefix = colon >= 0 ? root.name.slice(0, colon + 1) : undefined;
  const fields = fieldsOf(root, prefix);
  const base = withBase(root, feedUrl);
  const feedAuthor = personName(first(fields, 'author'), prefix);
  const siteLink = alternateLink(all(fields, 'link'), base);
  const entries = childrenNamed(root, `${prefix ?? ''}entry`).map((entry) => readEntry(entry, base, prefix, feedAuthor));
  return { format: 'atom', title: constructText(first(fields, 'title')), ...(siteLink ? { siteLink } : {}), entries };
}

function readEntry(entry: Element, feedBase: string, prefix: string | undefined, feedAuthor: string | undefined): ParsedEntry {
  const base = withBase(entry, feedBase);
  const fields = fieldsOf(entry, prefix);
  const guid = fieldText(first(fields, 'id'));
  const link = alternateLink(all(fields, 'link'), base);
  const summary = constructBody(first(fields, 'summary'), base) ?? mediaDescription(fields);
  const { summaryText, content } = entryText(summary, constructBody(first(fields, 'content'), base));
  const source = fieldsOf(first(fields, 'source'), prefix);
  const author = personName(first(fields, 'author'), prefix) ?? personName(first(source, 'author'), prefix) ?? feedAuthor;
  const published = parseFeedDate(fieldText(first(fields, 'published', 'issued', 'created')));
  const updated = parseFeedDate(fieldText(first(fields, 'updated', 'modified')));
  return {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title: constructText(first(fields, 'title')),
    summaryText,
    content,
    ...(author ? { author } : {}),
    ...(published !== undefined ? { published } : {}),
    ...(updated !== undefined ? { updated } : {}),
    categories: uniqueTerms(all(fields, 'category').map((c) => attribute(c, 'label') ?? attribute(c, 'term') ?? textOf(c))),
  };
}

/** rel="alternate" or no rel; of several, the one that is a web page. */
function alternateLink(links: Element[], base: string): string | undefined {
  let fallback: string | undefined;
  for (const link of links) {
    if (!ALTERNATE.has((attribute(link, 'rel') ?? 'alternate').toLowerCase())) continue;
    // Some feeds write the address as the element's text, as RSS does.
    const href = webUrl(attribute(link, 'href') ?? textOf(link), withBase(link, base));
    if (!href) continue;
    const type = attribute(link, 'type')?.toLowerCase();
    if (!type || type === 'text/html' || type === 'application/xhtml+xml') return href;
    fallback ??= href;
  }
  return fallback;
}

type Kind = 'text' | 'html' | 'xhtml' | undefined;

function kindOf(element: Element): Kind {
  const type = (attribute(element, 'type') ?? 'text').toLowerCase();
  const mode = attribute(element, 'mode')?.toLowerCase();
  if (mode === 'base64' || attribute(element, 'src')) return undefined;
  if (type === 'xhtml' || type === 'application/xhtml+xml' || mode === 'xml') return 'xhtml';
  if (type === 'html' || type === 'text/html' || mode === 'escaped') return 'html';
  if (type === 'text' || type.startsWith('text/')) return 'text';
  return undefined;
}

function constructBody(element: Element | undefined, base: string): Body | undefined {
  if (!element) return undefined;
  const ownBase = withBase(element, base);
  switch (kindOf(element)) {
    case 'xhtml': {
      const rich = sanitizeNodes(xhtmlNodes(element), ownBase);
      return rich.length > 0 ? { rich } : undefined;
    }
    case 'html':
      return htmlBody(textOf(element), ownBase);
    case 'text':
      return textBody(textOf(element));
    default:
      return undefined;
  }
}

function constructText(element: Element | undefined): string {
  if (!element) return '';
  switch (kindOf(element)) {
    case 'xhtml':
      return oneLine(richToText(sanitizeNodes(xhtmlNodes(element))));
    case 'html':
      return plainTitle(textOf(element));
    default:
      return oneLine(textOf(element));
  }
}

/** XHTML content sits in one wrapping div, which is not part of it. */
function xhtmlNodes(element: Element): AnyNode[] {
  const wrapper = element.children.find(isTag);
  return wrapper && (wrapper.name === 'div' || wrapper.name.endsWith(':div')) ? wrapper.children : element.children;
}

function personName(person: Element | undefined, prefix: string | undefined): string | undefined {
  if (!person) return undefined;
  const name = fieldText(first(fieldsOf(person, prefix), 'name'));
  if (name) return oneLine(name);
  // Sloppy feeds write the name as the element's text.
  return person.children.some(isTag) ? undefined : oneLine(textOf(person)) || undefined;
}

/** YouTube and podcast feeds describe an entry only in Media RSS. */
function mediaDescription(fields: Fields): Body | undefined {
  const description = first(fieldsOf(first(fields, 'media:group')), 'media:description') ?? first(fields, 'media:description');
  return textBody(textOf(description));
}
