import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { richToText } from '../rich-text.ts';
import { decodeFeedBytes } from './decode-text.ts';
import { SUMMARY_LENGTH } from './entry-text.ts';
import { FeedParseError, parseFeed } from './parse-feed.ts';
import type { ParsedEntry } from './parsed-feed.ts';

const fixture = (name: string, contentType?: string) => decodeFeedBytes(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)), contentType);
const rss = (items: string, channel = '') => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${channel}${items}</channel></rss>`;
const only = (entries: ParsedEntry[]) => {
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

describe('parseFeed: feeds as they are served', () => {
  it('reads a GitHub releases Atom feed', () => {
    const feed = parseFeed(fixture('github-releases.atom', 'application/atom+xml; charset=utf-8'), 'https://github.com/nodejs/node/releases.atom');
    expect(feed).toMatchObject({ format: 'atom', title: 'Release notes from node', siteLink: 'https://github.com/nodejs/node/releases' });
    expect(feed.entries).toHaveLength(2);
    const [first, second] = feed.entries;
    expect(first).toMatchObject({
      guid: 'tag:github.com,2008:Repository/27193779/v22.2.0',
      link: 'https://github.com/nodejs/node/releases/tag/v22.2.0',
      title: '2024-05-15, Version 22.2.0 (Current), @targos',
      author: 'targos',
      updated: Date.parse('2024-05-15T16:11:33Z'),
      categories: [],
    });
    expect(first!.published).toBeUndefined();
    expect(first!.summaryText).toMatch(/^Notable Changes Experimental type stripping Node\.js can now run \.ts files\./);
    const json = JSON.stringify(first!.content);
    // The relative commit link is resolved against the feed's address; the heading's SVG anchor icon is gone.
    expect(json).toContain('"href":"https://github.com/nodejs/node/commit/0e8b2a4d"');
    expect(json).not.toMatch(/svg|octicon|path|class/);
    expect(first!.content[0]).toEqual({ tag: 'h3', children: ['Notable Changes'] });
    expect(second!.title).toBe("2024-05-09, Version 20.13.1 'Iron' (LTS), @marco-ippolito");
  });

  it('reads a WordPress RSS 2.0 feed with content:encoded and dc:creator', () => {
    const feed = parseFeed(fixture('wordpress.rss', 'application/rss+xml; charset=UTF-8'), 'https://blog.example.com/feed/');
    // The channel's own title and link, not those of its <image>.
    expect(feed).toMatchObject({ format: 'rss', title: 'Field Notes – The Groundswell Blog', siteLink: 'https://blog.example.com/' });
    const [post, hello] = feed.entries;
    expect(post).toMatchObject({
      guid: 'https://blog.example.com/?p=1042',
      link: 'https://blog.example.com/2024/05/20/quiet-hours/',
      title: 'Shipping “quiet hours” & a new inbox',
      author: 'Jane Doe',
      published: Date.parse('2024-05-20T09:14:07Z'),
      categories: ['Product', 'Release notes'],
      summaryText: 'Quiet hours keep alerts out of your evenings. Here is how they work and what else changed in this release. […]',
    });
    const text = richToText(post!.content);
    expect(text).toContain('What else changed');
    expect(text).toContain('Settings → Quiet hours');
    expect(text).not.toContain('tracking');
    expect(JSON.stringify(post!.content)).toContain('"src":"https://blog.example.com/wp-content/uploads/2024/05/quiet-hours-1024x576.png"');
    expect(hello).toMatchObject({ title: 'Hello world!', author: 'admin', categories: ['Uncategorized'] });
  });

  it('reads an RSS 1.0 (RDF) feed in ISO-8859-1 with items beside the channel', () => {
    const feed = parseFeed(fixture('news-rdf.xml'), 'https://news.example.de/index.rdf');
    expect(feed).toMatchObject({ format: 'rdf', title: 'Nachrichten für Nerds', siteLink: 'https://news.example.de/' });
    expect(feed.entries.map((entry) => entry.title)).toEqual(['Grüße aus München: Straßenbahn fährt autonom', 'Kernel 6.9 erschienen']);
    expect(feed.entries[0]).toMatchObject({
      guid: 'https://news.example.de/story/24/05/21/1833221/grsse-aus-mnchen',
      author: 'redakteur',
      published: Date.parse('2024-05-21T18:40:00Z'),
      categories: ['verkehr'],
      summaryText: 'Die Münchner Verkehrsgesellschaft testet eine fahrerlose Straßenbahn. Weiterlesen',
    });
    // A relative item link is read against the channel's link.
    expect(feed.entries[1]!.link).toBe('https://news.example.de/story/24/05/21/1712345/kernel-6-9');
  });

  it('reads a JSON Feed 1.1, skipping items that are not objects', () => {
    const feed = parseFeed(fixture('json-feed-1.1.json', 'application/feed+json'), 'https://ops.example.org/feed.json');
    expect(feed).toMatchObject({ format: 'json', title: 'Ops Weekly', siteLink: 'https://ops.example.org/' });
    expect(feed.entries).toHaveLength(3);
    const [handover, linked, odd] = feed.entries;
    expect(handover).toMatchObject({
      guid: 'https://ops.example.org/2024/05/on-call-handover',
      link: 'https://ops.example.org/2024/05/on-call-handover',
      summaryText: 'The handover runbook, rewritten.',
      author: 'Priya Raman',
      published: Date.parse('2024-05-20T15:30:00Z'),
      updated: Date.parse('2024-05-21T10:00:00Z'),
      categories: ['on-call', 'runbooks'],
    });
    expect(handover!.content).toEqual([
      { tag: 'p', children: ['We rewrote the ', { tag: 'a', href: 'https://ops.example.org/runbooks/handover', children: ['handover runbook'] }, '.'] },
      { tag: 'p', children: ['Second paragraph.'] },
    ]);
    expect(linked).toMatchObject({ guid: '1042', link: 'https://example.net/postmortem', author: 'Sam Lee', summaryText: 'A short note. Second paragraph, with a line break.' });
    expect(linked!.content).toEqual([
      { tag: 'p', children: ['A short note.'] },
      { tag: 'p', children: ['Second paragraph,', { tag: 'br', children: [] }, 'with a line break.'] },
    ]);
    expect(odd).toMatchObject({ title: '', summaryText: 'An item with odd fields.' });
    expect(odd!.guid).toBeUndefined();
  });

  it('reads an RSS 0.91 feed with the Netscape DOCTYPE and its HTML entities', () => {
    const feed = parseFeed(fixture('netscape-0.91.rss'), 'http://writetheweb.com/rss.xml');
    expect(feed).toMatchObject({ format: 'rss', title: 'WriteTheWeb', siteLink: 'http://writetheweb.com/' });
    expect(feed.entries).toHaveLength(3);
    expect(feed.entries[2]).toMatchObject({
      link: 'http://writetheweb.com/read.php?item=22',
      title: 'Café society: Personal web publishing in Montréal',
      summaryText: 'Publishing by Café regulars.',
    });
    expect(feed.entries.every((entry) => entry.guid === undefined && entry.published === undefined)).toBe(true);
  });

  it('reads a status page\'s incident history', () => {
    const feed = parseFeed(fixture('status-page.rss'), 'https://status.acme.example/history.rss');
    expect(feed.title).toBe('Acme Cloud Status - Incident History');
    const [incident] = feed.entries;
    expect(incident).toMatchObject({
      guid: 'https://status.acme.example/incidents/q1w2e3r4t5y6',
      title: 'Elevated error rates for webhooks',
      published: Date.parse('2024-05-21T18:22:04Z'),
    });
    expect(incident!.summaryText).toMatch(/^May 21, 18:22 UTC Resolved - This incident has been resolved\. May 21, 17:48 UTC Monitoring/);
    expect(richToText(incident!.content).split('\n').slice(0, 2)).toEqual(['May 21, 18:22 UTC', 'Resolved - This incident has been resolved.']);
  });

  it('reads windows-1251 end to end from bytes', () => {
    const text = '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Сводка</title><item><title>Сбой в работе</title></item></channel></rss>';
    const table = new Map<string, number>();
    const decoder = new TextDecoder('windows-1251');
    for (let byte = 0; byte < 256; byte++) table.set(decoder.decode(Uint8Array.of(byte)), byte);
    const bytes = Uint8Array.from([...text].map((char) => table.get(char)!));
    const feed = parseFeed(decodeFeedBytes(bytes, 'text/xml'), 'https://news.example.ru/rss');
    expect(feed.title).toBe('Сводка');
    expect(feed.entries[0]!.title).toBe('Сбой в работе');
  });
});

describe('parseFeed: links and bases', () => {
  it('resolves Atom links against xml:base on the feed, the entry and the content, then the feed URL', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/">
      <title>B</title><link href="./"/>
      <entry xml:base="posts/"><id>1</id><link rel="self" href="self.xml"/><link rel="enclosure" href="a.mp3"/><link href="1.html"/>
        <content type="html" xml:base="/media/">&lt;img src="pic.png"&gt;&lt;a href="../x"&gt;x&lt;/a&gt;</content></entry>
      <entry><id>2</id><link rel="alternate" type="application/pdf" href="2.pdf"/><link rel="alternate" type="text/html" href="2.html"/></entry>
    </feed>`;
    const feed = parseFeed(atom, 'https://feeds.example.org/atom.xml');
    expect(feed.siteLink).toBe('https://example.org/blog/');
    expect(feed.entries[0]!.link).toBe('https://example.org/blog/posts/1.html');
    expect(feed.entries[0]!.content).toEqual([
      { tag: 'img', children: [], src: 'https://example.org/media/pic.png' },
      { tag: 'a', href: 'https://example.org/x', children: ['x'] },
    ]);
    expect(feed.entries[1]!.link).toBe('https://example.org/blog/2.html');
    const noBase = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/p/1"/></entry></feed>', 'https://a.example/feeds/all.atom');
    expect(noBase.entries[0]!.link).toBe('https://a.example/p/1');
  });

  it('resolves RSS links against the channel link, or the feed URL when there is none', () => {
    const withSite = parseFeed(rss('<item><link>item-1</link><description>&lt;a href="more"&gt;more&lt;/a&gt;</description></item>', '<link>https://site.example/news/</link>'), 'https://cdn.example/feed.xml');
    expect(withSite.entries[0]!.link).toBe('https://site.example/news/item-1');
    expect(JSON.stringify(withSite.entries[0]!.content)).toContain('"href":"https://site.example/news/more"');
    const bare = parseFeed(rss('<item><link>/item-2</link></item>'), 'https://cdn.example/feeds/feed.xml');
    expect(bare.entries[0]!.link).toBe('https://cdn.example/item-2');
  });

  it('never lets a script URL become a link', () => {
    const feed = parseFeed(rss('<item><link>javascript:alert(1)</link><guid>javascript:alert(2)</guid></item>', '<link>javascript:alert(3)</link>'), 'https://a.example/f');
    expect(feed.siteLink).toBeUndefined();
    expect(feed.entries[0]!.link).toBeUndefined();
  });

  it('reads an RSS link written as an href', () => {
    const feed = parseFeed(rss('<item><link href="/posts/7"/></item>'), 'https://a.example/feed.xml');
    expect(feed.entries[0]!.link).toBe('https://a.example/posts/7');
  });

  it('uses a permalink guid as the link, but not one marked isPermaLink="false"', () => {
    const feed = parseFeed(rss('<item><guid>https://a.example/1</guid></item><item><guid isPermaLink="false">https://a.example/?p=2</guid></item>'), 'https://a.example/f');
    expect(feed.entries.map((entry) => entry.link)).toEqual(['https://a.example/1', undefined]);
    expect(feed.entries[1]!.guid).toBe('https://a.example/?p=2');
  });
});

describe('parseFeed: text fields', () => {
  it('reduces titles with HTML, escaped or in CDATA, to plain text', () => {
    const feed = parseFeed(
      rss('<item><title><![CDATA[<b>Bold</b> &amp; co]]></title></item><item><title>&lt;em&gt;Escaped&lt;/em&gt;   title &amp;amp; more</title></item>'),
      'https://a.example/f',
    );
    expect(feed.entries.map((entry) => entry.title)).toEqual(['Bold & co', 'Escaped title & more']);
  });

  it('honours Atom text construct types', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><title type="text">Use &lt;b&gt; tags</title><summary type="html">&lt;p&gt;Sum &lt;b&gt;mary&lt;/b&gt;&lt;/p&gt;</summary></entry>
      <entry><title type="html">&lt;i&gt;Styled&lt;/i&gt; title</title>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One <b>two</b></p><script>alert(1)</script><p onclick="x()">Three</p></div></content></entry>
      <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<em>html</em> title</div></title><content type="text">Line one
Line two</content><category term="ops"/><category term="x" label="Readable"/></entry>
    </feed>`;
    const [text, html, xhtml] = parseFeed(atom, 'https://a.example/atom').entries;
    expect(text).toMatchObject({ title: 'Use <b> tags', summaryText: 'Sum mary' });
    expect(text!.content).toEqual([{ tag: 'p', children: ['Sum ', { tag: 'strong', children: ['mary'] }] }]);
    expect(html!.title).toBe('Styled title');
    expect(html!.content).toEqual([
      { tag: 'p', children: ['One ', { tag: 'strong', children: ['two'] }] },
      { tag: 'p', children: ['Three'] },
    ]);
    expect(xhtml).toMatchObject({ title: 'Xhtml title', categories: ['ops', 'Readable'] });
    expect(xhtml!.content).toEqual([{ tag: 'p', children: ['Line one', { tag: 'br', children: [] }, 'Line two'] }]);
  });

  it('inherits the feed author and reads a feed written with the atom: prefix', () => {
    const atom = `<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>P</atom:title><atom:author><atom:name>Feed Owner</atom:name></atom:author>
      <atom:entry><atom:id>e1</atom:id><atom:title>One</atom:title><atom:published>2024-01-02T03:04:05Z</atom:published></atom:entry></atom:feed>`;
    const feed = parseFeed(atom, 'https://a.example/atom');
    expect(feed.title).toBe('P');
    expect(only(feed.entries)).toMatchObject({ guid: 'e1', title: 'One', author: 'Feed Owner', published: Date.parse('2024-01-02T03:04:05Z') });
  });

  it('takes a YouTube-style entry\'s text from media:group', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:yt="http://www.youtube.com/xml/schemas/2015">
      <entry><id>yt:video:abc</id><yt:videoId>abc</yt:videoId><title>Talk</title><link rel="alternate" href="https://www.youtube.com/watch?v=abc"/>
        <media:group><media:title>Talk</media:title><media:description>First line
Second line</media:description></media:group></entry></feed>`;
    const entry = only(parseFeed(atom, 'https://www.youtube.com/feeds/videos.xml?channel_id=x').entries);
    expect(entry).toMatchObject({ guid: 'yt:video:abc', link: 'https://www.youtube.com/watch?v=abc', summaryText: 'First line Second line' });
    expect(entry.content).toEqual([{ tag: 'p', children: ['First line', { tag: 'br', children: [] }, 'Second line'] }]);
  });

  it('reads entries with no guid, link, date or title', () => {
    const entry = only(parseFeed(rss('<item><description>Only a description.</description></item>'), 'https://a.example/f').entries);
    expect(entry).toEqual({ title: '', summaryText: 'Only a description.', content: ['Only a description.'], categories: [] });
  });

  it('caps the summary at 400 characters and takes it from the content when there is no summary', () => {
    const long = 'word '.repeat(200);
    const entry = only(parseFeed(rss(`<item><content:encoded><![CDATA[<p>${long}</p>]]></content:encoded></item>`), 'https://a.example/f').entries);
    expect(entry.summaryText.length).toBeLessThanOrEqual(SUMMARY_LENGTH);
    expect(entry.summaryText).toMatch(/^word word .*word…$/);
    expect(richToText(entry.content)).toBe(long.trim());
  });

  it('reads RSS author in its email (Name) form', () => {
    const entry = only(parseFeed(rss('<item><author>noreply@blogger.com (Kim Park)</author></item>'), 'https://a.example/f').entries);
    expect(entry.author).toBe('Kim Park');
  });
});

describe('parseFeed: refusals', () => {
  const refusal = (text: string) => {
    try {
      parseFeed(text, 'https://a.example/');
    } catch (error) {
      expect(error).toBeInstanceOf(FeedParseError);
      return { code: (error as FeedParseError).code, message: (error as FeedParseError).message };
    }
    throw new Error('parsed');
  };

  it('explains what came back instead of a feed', () => {
    expect(refusal('<!DOCTYPE html>\n<html lang="en"><head><title>Home</title></head><body>Hi</body></html>')).toEqual({
      code: 'not-a-feed',
      message: 'This address returned an HTML page, not a feed.',
    });
    expect(refusal('<head><meta charset="utf-8"></head>').message).toContain('HTML page');
    expect(refusal('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')).toEqual({
      code: 'not-a-feed',
      message: 'This address returned an XML document that is not a feed (its root element is <urlset>).',
    });
    expect(refusal('{"data": []}')).toEqual({ code: 'not-a-feed', message: 'This address returned JSON, but not a JSON Feed.' });
    expect(refusal('{"version": "https://jsonfeed.org/version/1.1", "items": [')).toMatchObject({ code: 'malformed' });
    expect(refusal('Service Unavailable')).toMatchObject({ code: 'not-a-feed' });
    expect(refusal('   ')).toMatchObject({ code: 'not-a-feed', message: 'This address returned an empty page, not a feed.' });
    expect(refusal('<<<')).toMatchObject({ code: 'malformed' });
  });
});
