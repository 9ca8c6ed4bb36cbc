/**
 * One poll's entries become inbox items here: deduplicated, with read state and first-seen time kept
 * from what is stored, the facts the hub's attention rules match on (fresh or backlog, title,
 * categories and text for keywords), and the body stored with the item because an entry leaves the
 * feed long before the user stops caring about it. The feed's alert level and keywords are rules
 * the hub applies, not decisions made here.
 */
import type { ConnectorItem } from '../connector.ts';
import { richToText } from '../rich-text.ts';
import { entryKey } from './entry-identity.ts';
import type { ParsedEntry, ParsedFeed } from './parsed-feed.ts';

/** Every feed entry lives in one scope: the feed is the account. */
export const FEED_SCOPE = 'feed';
const SNIPPET_LENGTH = 200;
const SEARCH_TEXT_LENGTH = 4_000;
/** A clock a few minutes fast on the feed's server is normal; a date years ahead would pin the entry to the top. */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

export interface EntryBatch {
  items: ConnectorItem[];
  /** Entries seen for the first time after the first poll (new, not backlog). */
  fresh: string[];
}

export interface IngestContext {
  feedName: string;
  conversationKey: string;
  known: Map<string, { unread: boolean; timestamp: number }>;
  /** The feed's first poll: its backlog arrives read, so adding a feed does not flood the inbox. */
  firstPoll: boolean;
  now: number;
}

export function entriesToItems(feed: ParsedFeed, context: IngestContext): EntryBatch {
  const items: ConnectorItem[] = [];
  const fresh: string[] = [];
  const seen = new Set<string>();
  for (const entry of feed.entries) {
    const externalId = entryKey(entry);
    // A feed listing one entry twice: the first (newest) copy wins.
    if (seen.has(externalId)) continue;
    seen.add(externalId);
    const previous = context.known.get(externalId);
    const isFresh = !previous && !context.firstPoll;
    if (isFresh) fresh.push(externalId);
    items.push(toItem(entry, externalId, feed, context, {
      unread: previous ? previous.unread : !context.firstPoll,
      timestamp: previous?.timestamp ?? entryTime(entry, context.now),
      fresh: isFresh,
    }));
  }
  return { items, fresh };
}

function toItem(
  entry: ParsedEntry,
  externalId: string,
  feed: ParsedFeed,
  context: IngestContext,
  state: { unread: boolean; timestamp: number; fresh: boolean },
): ConnectorItem {
  const bodyText = richToText(entry.content) || entry.summaryText;
  const snippetSource = entry.summaryText || bodyText;
  const title = entry.title || firstWords(snippetSource) || 'Untitled entry';
  const headers = [
    ...(feed.title && feed.title !== context.feedName ? [{ name: 'Feed', value: feed.title }] : []),
    ...(entry.author ? [{ name: 'Author', value: entry.author }] : []),
    ...(entry.categories.length > 0 ? [{ name: 'Categories', value: entry.categories.join(', ') }] : []),
    ...(entry.link ? [{ name: 'Link', value: entry.link }] : []),
  ];
  return {
    externalId,
    scope: FEED_SCOPE,
    source: 'feed',
    conversationKey: context.conversationKey,
    sender: context.feedName,
    title,
    snippet: snippetSource.slice(0, SNIPPET_LENGTH),
    timestamp: state.timestamp,
    unread: state.unread,
    priority: false,
    origin: { kind: 'feed', guid: entry.guid ?? entry.link ?? externalId, ...(entry.link ? { link: entry.link } : {}) },
    searchText: [entry.author ?? '', entry.categories.join(' '), bodyText.slice(0, SEARCH_TEXT_LENGTH)].join(' ').trim(),
    detail: { headers, bodyText, content: entry.content },
    attention: {
      fresh: state.fresh,
      fromMe: false,
      mentionsMe: false,
      direct: false,
      conversationName: context.feedName,
      place: context.feedName,
      text: { title, categories: entry.categories, body: bodyText.slice(0, SEARCH_TEXT_LENGTH) },
    },
  };
}

function entryTime(entry: ParsedEntry, now: number): number {
  const dated = entry.published ?? entry.updated;
  if (dated === undefined) return now;
  return Math.min(dated, now + FUTURE_TOLERANCE_MS);
}

function firstWords(text: string): string {
  if (text.length <= 80) return text;
  const cut = text.slice(0, 80);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40))}…`;
}
