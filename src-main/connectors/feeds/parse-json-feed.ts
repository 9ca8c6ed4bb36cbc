/**
 * JSON Feed 1.0 and 1.1. The document is untrusted JSON, so every field is checked for its type
 * before use: a number where a string belongs is ignored, not thrown on.
 */
import { authorName, entryText, htmlBody, oneLine, textBody, uniqueTerms } from './entry-text.ts';
import { parseFeedDate } from './feed-dates.ts';
import { webUrl } from './feed-xml.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';

type JsonObject = Record<string, unknown>;

export const JSON_FEED_VERSION_PREFIX = 'https://jsonfeed.org/version/';

export function isJsonFeed(value: unknown): value is JsonObject {
  return isObject(value) && typeof value['version'] === 'string' && value['version'].startsWith(JSON_FEED_VERSION_PREFIX);
}

export function readJsonFeed(feed: JsonObject, feedUrl: string): ParsedFeed {
  const siteLink = webUrl(stringField(feed, 'home_page_url'), feedUrl);
  const base = siteLink ?? feedUrl;
  const feedAuthor = authorOf(feed);
  const items = Array.isArray(feed['items']) ? feed['items'].filter(isObject) : [];
  return {
    format: 'json',
    title: oneLine(stringField(feed, 'title')),
    ...(siteLink ? { siteLink } : {}),
    entries: items.map((item) => readItem(item, base, feedAuthor)),
  };
}

function readItem(item: JsonObject, base: string, feedAuthor: string | undefined): ParsedEntry {
  // Version 1.0 allowed numeric ids, and publishers still write them.
  const rawId = item['id'];
  const guid = typeof rawId === 'string' ? rawId.trim() : typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : '';
  const link = webUrl(stringField(item, 'url'), base) ?? webUrl(stringField(item, 'external_url'), base);
  const content = htmlBody(stringField(item, 'content_html'), base) ?? textBody(stringField(item, 'content_text'));
  const { summaryText, content: rich } = entryText(textBody(stringField(item, 'summary')), content);
  const author = authorOf(item) ?? feedAuthor;
  const published = parseFeedDate(stringField(item, 'date_published'));
  const updated = parseFeedDate(stringField(item, 'date_modified'));
  const tags = Array.isArray(item['tags']) ? item['tags'].filter((tag): tag is string => typeof tag === 'string') : [];
  return {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title: oneLine(stringField(item, 'title')),
    summaryText,
    content: rich,
    ...(author ? { author } : {}),
    ...(published !== undefined ? { published } : {}),
    ...(updated !== undefined ? { updated } : {}),
    categories: uniqueTerms(tags),
  };
}

/** `authors` (1.1) before `author` (1.0). */
function authorOf(object: JsonObject): string | undefined {
  const authors: unknown[] = [...(Array.isArray(object['authors']) ? object['authors'] : []), object['author']];
  const names = authors.flatMap((author) => (isObject(author) ? [authorName(stringField(author, 'name'))] : []));
  const joined = uniqueTerms(names).join(', ');
  return joined || undefined;
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
