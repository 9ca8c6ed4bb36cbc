/**
 * Subscription lists move between feed readers as OPML: every outline with an xmlUrl is a feed and
 * the outlines around it are folders. Read with the same DOCTYPE-free XML reader as feeds, since an
 * imported file is as untrusted as a fetched one; written as OPML 2.0 with one outline per folder.
 */
import { isTag } from 'domhandler';
import type { Element } from 'domhandler';
import { oneLine } from './entry-text.ts';
import { childrenNamed, readXml, rootElement, webUrl } from './feed-xml.ts';

export interface OpmlFeed {
  url: string;
  title?: string;
  siteUrl?: string;
  /** Nested folders joined with " / ". */
  folder?: string;
}

export class OpmlError extends Error {
  readonly code = 'not-opml';
  override readonly name = 'OpmlError';
}

const FOLDER_SEPARATOR = ' / ';
/** Outline types that are feeds; other readers also write link, include and others, which are not. */
const FEED_OUTLINE_TYPES = new Set(['', 'rss', 'atom', 'rdf', 'json', 'feed']);
const FEED_ROOTS = new Set(['rss', 'feed', 'rdf:rdf']);

export function parseOpml(text: string): OpmlFeed[] {
  const root = rootElement(readXml(text));
  if (!root) throw new OpmlError('This file is not an OPML subscription list: it contains no XML.');
  if (root.name !== 'opml') {
    if (root.name === 'html') throw new OpmlError('This file is a web page, not an OPML subscription list.');
    if (FEED_ROOTS.has(root.name)) throw new OpmlError('This file is a feed, not an OPML subscription list. Add its address as a feed instead.');
    throw new OpmlError('This file is not an OPML subscription list (it has no <opml> element).');
  }
  const feeds: OpmlFeed[] = [];
  readOutlines(childrenNamed(root, 'body')[0] ?? root, [], feeds);
  return feeds;
}

/** The tree is at most MAX_TREE_DEPTH deep, so recursion is safe. */
function readOutlines(parent: Element, folders: string[], feeds: OpmlFeed[]): void {
  for (const outline of parent.children) {
    if (!isTag(outline) || outline.name !== 'outline') continue;
    const attributes = outline.attribs;
    const title = oneLine(attributes['title']) || oneLine(attributes['text']);
    const url = feedUrl(attributes['xmlurl']);
    if (url) {
      if (!FEED_OUTLINE_TYPES.has((attributes['type'] ?? '').trim().toLowerCase())) continue;
      const siteUrl = webUrl(attributes['htmlurl'], undefined);
      feeds.push({
        url,
        ...(title ? { title } : {}),
        ...(siteUrl ? { siteUrl } : {}),
        ...(folders.length > 0 ? { folder: folders.join(FOLDER_SEPARATOR) } : {}),
      });
    } else {
      readOutlines(outline, title ? [...folders, title] : folders, feeds);
    }
  }
}

/** The feed: scheme some readers export means "this is a feed", not a protocol. The hub checks the rest. */
function feedUrl(raw: string | undefined): string | undefined {
  const url = raw?.trim();
  if (!url) return undefined;
  if (/^feed:https?:/i.test(url)) return url.slice(5);
  if (/^feed:\/\//i.test(url)) return `http:${url.slice(5)}`;
  return url;
}

interface Folder {
  feeds: OpmlFeed[];
  folders: Map<string, Folder>;
}

export function serializeOpml(feeds: OpmlFeed[], title: string): string {
  const top: Folder = { feeds: [], folders: new Map() };
  for (const feed of feeds) {
    let folder = top;
    for (const name of (feed.folder ?? '').split(FOLDER_SEPARATOR).map((part) => part.trim()).filter(Boolean)) {
      let inner = folder.folders.get(name);
      if (!inner) {
        inner = { feeds: [], folders: new Map() };
        folder.folders.set(name, inner);
      }
      folder = inner;
    }
    folder.feeds.push(feed);
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(title)}</title>`,
    '  </head>',
    '  <body>',
    ...folderLines(top, '    '),
    '  </body>',
    '</opml>',
    '',
  ];
  return lines.join('\n');
}

function folderLines(folder: Folder, indent: string): string[] {
  const lines = folder.feeds.map((feed) => {
    const text = feed.title?.trim() || feed.url;
    const site = feed.siteUrl ? ` htmlUrl="${escapeXml(feed.siteUrl)}"` : '';
    return `${indent}<outline type="rss" text="${escapeXml(text)}" title="${escapeXml(text)}" xmlUrl="${escapeXml(feed.url)}"${site}/>`;
  });
  for (const [name, inner] of folder.folders) {
    lines.push(`${indent}<outline text="${escapeXml(name)}" title="${escapeXml(name)}">`, ...folderLines(inner, `${indent}  `), `${indent}</outline>`);
  }
  return lines;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** For text and attributes alike; characters XML 1.0 cannot carry at all are left out. */
function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"'\n\r\t]/g, (c) => ESCAPES[c]!);
}
