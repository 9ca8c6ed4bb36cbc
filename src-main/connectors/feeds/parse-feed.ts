/**
 * Any feed a user can subscribe to, reduced to a ParsedFeed: JSON Feed when the text is a JSON
 * object, otherwise XML read by its root element (rss, rdf:RDF, feed). Reading is forgiving, as
 * feeds in the wild need: an unclosed or broken document still yields the entries that can be read,
 * and only something that is not a feed at all is refused, with a reason the user can act on.
 */
import { looksLikeHtmlPage } from './discover.ts';
import { readXml, rootElement } from './feed-xml.ts';
import { readAtom } from './parse-atom.ts';
import { isJsonFeed, readJsonFeed } from './parse-json-feed.ts';
import { readRss } from './parse-rss.ts';
import type { ParsedFeed } from './parsed-feed.ts';

export type FeedParseErrorCode = 'not-a-feed' | 'malformed';

export class FeedParseError extends Error {
  readonly code: FeedParseErrorCode;
  override readonly name = 'FeedParseError';

  constructor(code: FeedParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const HTML_ROOTS = new Set(['html', 'head', 'body']);

export function parseFeed(text: string, feedUrl: string): ParsedFeed {
  const start = firstSignificant(text);
  if (text[start] === '{') return parseJson(text, feedUrl);
  const root = rootElement(readXml(text));
  if (!root) {
    if (text[start] === '<') throw new FeedParseError('malformed', 'This feed could not be read: it has no XML element in it.');
    throw new FeedParseError('not-a-feed', start >= text.length ? 'This address returned an empty page, not a feed.' : 'This address returned plain text, not a feed.');
  }
  const local = root.name.slice(root.name.indexOf(':') + 1);
  if (root.name === 'rss') return readRss(root, feedUrl, 'rss');
  if (local === 'rdf') return readRss(root, feedUrl, 'rdf');
  if (local === 'feed') return readAtom(root, feedUrl);
  if (HTML_ROOTS.has(local) || looksLikeHtmlPage(text)) {
    throw new FeedParseError('not-a-feed', 'This address returned an HTML page, not a feed.');
  }
  const shown = root.name.length > 40 ? `${root.name.slice(0, 40)}…` : root.name;
  throw new FeedParseError('not-a-feed', `This address returned an XML document that is not a feed (its root element is <${shown}>).`);
}

function parseJson(text: string, feedUrl: string): ParsedFeed {
  let value: unknown;
  try {
    value = JSON.parse(text.slice(firstSignificant(text)));
  } catch (error) {
    throw new FeedParseError('malformed', 'This feed could not be read: its JSON is not valid.', { cause: error });
  }
  if (!isJsonFeed(value)) throw new FeedParseError('not-a-feed', 'This address returned JSON, but not a JSON Feed.');
  return readJsonFeed(value, feedUrl);
}

/** Past a byte-order mark and whitespace. */
function firstSignificant(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === '\uFEFF' || /\s/.test(text[i]!))) i++;
  return i;
}
