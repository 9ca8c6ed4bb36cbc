import { describe, expect, it } from 'vitest';
import { OpmlError, parseOpml, serializeOpml } from './opml.ts';
import type { OpmlFeed } from './opml.ts';

/** Shaped like a Feedly export, with a Thunderbird-style nested folder and a few careless entries. */
const EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head>
    <title>Jane subscriptions in feedly Cloud</title>
  </head>
  <body>
    <outline text="Ops" title="Ops">
      <outline type="rss" text="Acme Cloud Status" title="Acme Cloud Status" xmlUrl="https://status.acme.example/history.rss" htmlUrl="https://status.acme.example"/>
      <outline type="rss" text="node releases" title="Release notes from node" xmlUrl="https://github.com/nodejs/node/releases.atom" htmlUrl="https://github.com/nodejs/node/releases"/>
      <outline text="Vendors">
        <outline type="rss" text="Nachrichten f&#252;r Nerds" xmlurl="https://news.example.de/index.rdf" HTMLURL="https://news.example.de/"/>
      </outline>
    </outline>
    <outline title="Reading" text="ignored because title wins">
      <outline text="Field Notes &amp; more" xmlUrl="https://blog.example.com/feed/" htmlUrl="javascript:alert(1)"/>
      <outline type="link" text="Just a bookmark" url="https://example.com/"/>
    </outline>
    <outline type="atom" text="Top level" xmlUrl="feed://top.example.org/atom.xml"/>
    <outline text="Empty folder"/>
  </body>
</opml>`;

describe('parseOpml', () => {
  it('reads feeds and folders from another reader\'s export', () => {
    expect(parseOpml(EXPORT)).toEqual([
      { url: 'https://status.acme.example/history.rss', title: 'Acme Cloud Status', siteUrl: 'https://status.acme.example/', folder: 'Ops' },
      { url: 'https://github.com/nodejs/node/releases.atom', title: 'Release notes from node', siteUrl: 'https://github.com/nodejs/node/releases', folder: 'Ops' },
      { url: 'https://news.example.de/index.rdf', title: 'Nachrichten für Nerds', siteUrl: 'https://news.example.de/', folder: 'Ops / Vendors' },
      { url: 'https://blog.example.com/feed/', title: 'Field Notes & more', folder: 'Reading' },
      { url: 'http://top.example.org/atom.xml', title: 'Top level' },
    ]);
  });

  it('reads a list with no folders and an OPML file without a body', () => {
    expect(parseOpml('<opml version="2.0"><body><outline xmlUrl="https://a.example/f"/></body></opml>')).toEqual([{ url: 'https://a.example/f' }]);
    expect(parseOpml('<opml version="2.0"><outline text="A" xmlUrl="https://a.example/f"/></opml>')).toEqual([{ url: 'https://a.example/f', title: 'A' }]);
    expect(parseOpml('<opml version="2.0"><head/><body/></opml>')).toEqual([]);
  });

  it('refuses what is not OPML with a reason', () => {
    const reason = (text: string) => {
      try {
        parseOpml(text);
      } catch (error) {
        expect(error).toBeInstanceOf(OpmlError);
        return (error as Error).message;
      }
      return 'parsed';
    };
    expect(reason('<!DOCTYPE html><html><body>Sign in</body></html>')).toBe('This file is a web page, not an OPML subscription list.');
    expect(reason('<rss version="2.0"><channel/></rss>')).toContain('is a feed');
    expect(reason('<subscriptions/>')).toContain('not an OPML subscription list');
    expect(reason('name,url\nA,https://a.example/f')).toContain('contains no XML');
    expect(reason('')).toContain('contains no XML');
  });

  it('never reads an external entity', () => {
    const text = '<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body><outline text="&x;" xmlUrl="https://a.example/&x;"/></body></opml>';
    const json = JSON.stringify(parseOpml(text));
    expect(json).not.toMatch(/root:|ENTITY|\]>/);
    expect(parseOpml(text)).toEqual([{ url: 'https://a.example/&x;', title: '&x;' }]);
  });
});

describe('serializeOpml', () => {
  const feeds: OpmlFeed[] = [
    { url: 'https://a.example/feed?x=1&y=2', title: 'Quotes "<&>" and \'apostrophes\'', siteUrl: 'https://a.example/', folder: 'Ops / Vendors' },
    { url: 'https://b.example/rss', title: 'B', folder: 'Ops' },
    { url: 'https://c.example/atom' },
    { url: 'https://d.example/feed', title: 'D\twith\ncontrol\u0001 characters', folder: 'Reading' },
  ];

  it('writes OPML 2.0 grouped by folder, with attributes escaped', () => {
    const xml = serializeOpml(feeds, 'Groundswell & friends');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0">/);
    expect(xml).toContain('<title>Groundswell &amp; friends</title>');
    expect(xml).toContain('title="Quotes &quot;&lt;&amp;&gt;&quot; and &apos;apostrophes&apos;"');
    expect(xml).toContain('xmlUrl="https://a.example/feed?x=1&amp;y=2"');
    expect(xml).not.toContain('\u0001');
    // One outline per folder, nested.
    expect(xml.match(/<outline text="Ops"/g)).toHaveLength(1);
    expect(xml.indexOf('<outline text="Vendors"')).toBeGreaterThan(xml.indexOf('<outline text="Ops"'));
  });

  it('round-trips through parseOpml', () => {
    expect(parseOpml(serializeOpml(feeds, 'x'))).toEqual([
      { url: 'https://c.example/atom', title: 'https://c.example/atom' },
      { url: 'https://b.example/rss', title: 'B', folder: 'Ops' },
      { url: 'https://a.example/feed?x=1&y=2', title: 'Quotes "<&>" and \'apostrophes\'', siteUrl: 'https://a.example/', folder: 'Ops / Vendors' },
      { url: 'https://d.example/feed', title: 'D with control characters', folder: 'Reading' },
    ]);
  });
});
