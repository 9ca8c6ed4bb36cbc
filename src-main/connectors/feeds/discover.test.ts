import { describe, expect, it } from 'vitest';
import { discoverFeedLinks, looksLikeHtmlPage } from './discover.ts';

describe('discoverFeedLinks', () => {
  it('finds every feed type the page names, resolved, deduplicated and in page order', () => {
    const page = `<!DOCTYPE html>
<html lang="en"><head>
  <meta charset="utf-8"><title>Field Notes</title>
  <link rel="stylesheet" href="/style.css" type="text/css">
  <link rel="alternate" type="application/rss+xml" title="Field Notes &raquo; Feed" href="https://blog.example.com/feed/">
  <link rel="alternate" type="application/rss+xml" title="Field Notes &raquo; Comments Feed" href="/comments/feed/">
  <LINK REL="Alternate" TYPE="Application/Atom+XML" HREF="atom.xml">
  <link rel="alternate feed" type="application/feed+json" href="//blog.example.com/feed.json">
  <link rel="alternate" type="application/rdf+xml; charset=utf-8" href="index.rdf">
  <link rel="alternate" type="application/json" href="https://blog.example.com/wp-json/wp/v2/pages/2">
  <link rel="alternate" type="application/rss+xml" href="https://blog.example.com/feed/">
  <link rel="alternate" type="text/html" hreflang="de" href="/de/">
  <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
  <link rel="alternate" type="application/rss+xml" href="ftp://files.example.com/feed.xml">
  <link rel="alternate" type="application/rss+xml">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-element">x</a></body></html>`;
    expect(discoverFeedLinks(page, 'https://blog.example.com/2024/05/post/')).toEqual([
      'https://blog.example.com/feed/',
      'https://blog.example.com/comments/feed/',
      'https://blog.example.com/2024/05/post/atom.xml',
      'https://blog.example.com/feed.json',
      'https://blog.example.com/2024/05/post/index.rdf',
      'https://blog.example.com/wp-json/wp/v2/pages/2',
    ]);
  });

  it('resolves against <base href> before the page address', () => {
    const page = '<html><head><base href="https://cdn.example.net/site/"><link rel="alternate" type="application/atom+xml" href="feed.atom"></head></html>';
    expect(discoverFeedLinks(page, 'https://www.example.com/')).toEqual(['https://cdn.example.net/site/feed.atom']);
    const relativeBase = '<base href="/blog/"><link rel="alternate" type="application/rss+xml" href="rss">';
    expect(discoverFeedLinks(relativeBase, 'https://www.example.com/x/y')).toEqual(['https://www.example.com/blog/rss']);
  });

  it('finds nothing on a page without feed links', () => {
    expect(discoverFeedLinks('<html><head><link rel="icon" href="/favicon.ico"></head><body>Hi</body></html>', 'https://a.example/')).toEqual([]);
    expect(discoverFeedLinks('', 'https://a.example/')).toEqual([]);
  });
});

describe('looksLikeHtmlPage', () => {
  it('recognises pages by their doctype or html element near the start', () => {
    expect(looksLikeHtmlPage('<!DOCTYPE html><html><head></head></html>')).toBe(true);
    expect(looksLikeHtmlPage('\n\n  <!doctype HTML>\n<title>x</title>')).toBe(true);
    expect(looksLikeHtmlPage('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">')).toBe(true);
    expect(looksLikeHtmlPage('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">')).toBe(true);
    expect(looksLikeHtmlPage('<HTML lang="en">')).toBe(true);
  });

  it('does not mistake feeds for pages, even when an entry quotes one', () => {
    expect(looksLikeHtmlPage('<?xml version="1.0"?><rss version="2.0"><channel>')).toBe(false);
    expect(looksLikeHtmlPage('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss version="0.91">')).toBe(false);
    expect(looksLikeHtmlPage('<feed xmlns="http://www.w3.org/2005/Atom"><entry><content><![CDATA[<html><body>x</body></html>]]></content>')).toBe(false);
    expect(looksLikeHtmlPage('{"version": "https://jsonfeed.org/version/1.1", "items": [{"content_html": "<html>"}]}')).toBe(false);
    expect(looksLikeHtmlPage('<?xml version="1.0"?><htmlfeed>')).toBe(false);
    expect(looksLikeHtmlPage(`<rss>${' '.repeat(2000)}<html>`)).toBe(false);
  });
});
