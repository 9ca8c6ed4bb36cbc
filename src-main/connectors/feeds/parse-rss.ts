/**
 * RSS 0.9x and 2.0, and RSS 1.0 (RDF), whose items sit beside the channel instead of inside it.
 * The modules feeds really use are read by their usual prefixes: content:encoded for the full text,
 * dc:creator and dc:date from Dublin Core, atom:link for a channel that only links that way,
 * media:description for a feed with nothing else.
 */
import type { Element } from 'domhandler';
import { authorName, entryText, htmlBody, plainTitle, uniqueTerms } from './entry-text.ts';
import { parseFeedDate } from './feed-dates.ts';
import { all, attribute, childrenNamed, fieldsOf, fieldText, first, textOf, webUrl, withBase } from './feed-xml.ts';
import type { Fields } from './feed-xml.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';

export function readRss(root: Element, feedUrl: string, format: 'rss' | 'rdf'): ParsedFeed {
  const channel = childrenNamed(root, 'channel')[0];
  const fields = fieldsOf(channel ?? root);
  const documentBase = withBase(root, feedUrl);
  const channelBase = channel?.attribs['xml:base'] ? withBase(channel, documentBase) : undefined;
  const siteLink = webUrl(textOf(first(fields, 'link')), channelBase ?? documentBase) ?? atomAlternate(fields, documentBase);
  // Relative item links are relative to the site the channel names, unless xml:base says otherwise.
  const itemBase = channelBase ?? siteLink ?? documentBase;
  // RSS keeps items in the channel, RDF beside it; broken feeds use either.
  const items = [...childrenNamed(channel, 'item'), ...childrenNamed(root, 'item')];
  return {
    format,
    title: plainTitle(textOf(first(fields, 'title', 'dc:title'))),
    ...(siteLink ? { siteLink } : {}),
    entries: items.map((item) => readItem(item, withBase(item, itemBase), format)),
  };
}

function readItem(item: Element, base: string, format: 'rss' | 'rdf'): ParsedEntry {
  const fields = fieldsOf(item);
  const guidElement = first(fields, 'guid');
  const about = format === 'rdf' ? attribute(item, 'rdf:about') : undefined;
  const guid = fieldText(guidElement) ?? about;
  const linkElement = first(fields, 'link');
  const link =
    // Some RSS feeds write their link the Atom way, as an href.
    webUrl(textOf(linkElement).trim() || attribute(linkElement, 'href'), base) ??
    atomAlternate(fields, base) ??
    // A guid is the permalink unless it says otherwise; RDF's rdf:about usually is one.
    (attribute(guidElement, 'ispermalink')?.toLowerCase() === 'false' ? undefined : webUrl(fieldText(guidElement), undefined)) ??
    webUrl(about, undefined);
  const summary = htmlBody(textOf(first(fields, 'description', 'dc:description', 'itunes:summary', 'media:description')), base) ?? mediaGroupDescription(fields, base);
  const { summaryText, content } = entryText(summary, htmlBody(textOf(first(fields, 'content:encoded')), base));
  const author = authorName(textOf(first(fields, 'dc:creator', 'author', 'itunes:author')));
  const published = parseFeedDate(fieldText(first(fields, 'pubdate', 'dc:date', 'dcterms:issued', 'dcterms:created')));
  const updated = parseFeedDate(fieldText(first(fields, 'atom:updated', 'dcterms:modified')));
  return {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title: plainTitle(textOf(first(fields, 'title', 'dc:title'))),
    summaryText,
    content,
    ...(author ? { author } : {}),
    ...(published !== undefined ? { published } : {}),
    ...(updated !== undefined ? { updated } : {}),
    categories: uniqueTerms(all(fields, 'category', 'dc:subject').map((category) => textOf(category))),
  };
}

function atomAlternate(fields: Fields, base: string): string | undefined {
  for (const link of all(fields, 'atom:link')) {
    const rel = (attribute(link, 'rel') ?? 'alternate').toLowerCase();
    if (rel === 'alternate') return webUrl(attribute(link, 'href'), base);
  }
  return undefined;
}

function mediaGroupDescription(fields: Fields, base: string) {
  return htmlBody(textOf(first(fieldsOf(first(fields, 'media:group')), 'media:description')), base);
}
