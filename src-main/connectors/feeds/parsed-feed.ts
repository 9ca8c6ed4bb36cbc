/**
 * What every feed format (RSS 0.9x/2.0, RSS 1.0/RDF, Atom 1.0, JSON Feed 1.x) is reduced to before
 * the connector dedupes and stores it. Text fields are plain text (HTML already reduced); `content`
 * is the sanitized rich tree for the reading pane. URLs are absolute (resolved against the feed's base).
 */
import type { RichNode } from '../../../src-shared/rich-text.ts';

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedEntry {
  /** guid (RSS), id (Atom), id (JSON Feed), rdf:about (RDF); trimmed; absent when the feed gives none. */
  guid?: string;
  /** The entry's web page, absolute. */
  link?: string;
  /** Plain text; may be empty. */
  title: string;
  /** Plain text reduced from the summary or content, whitespace collapsed, for the list snippet. */
  summaryText: string;
  /** Sanitized content (content:encoded / atom content / content_html / description, best first). */
  content: RichNode[];
  author?: string;
  /** Milliseconds since the epoch; absent when the entry has no date or it cannot be parsed. */
  published?: number;
  updated?: number;
  /** Category terms/labels (RSS category, Atom category term/label, JSON Feed tags). */
  categories: string[];
}

export interface ParsedFeed {
  format: FeedFormat;
  /** Plain text; may be empty. */
  title: string;
  /** The site's home page, absolute, when given. */
  siteLink?: string;
  entries: ParsedEntry[];
}
