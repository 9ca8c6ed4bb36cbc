/**
 * Feeds as real servers publish them, generated so tests and benches can ask for any size:
 * a status page in RSS 2.0, a release feed in Atom, a JSON Feed, an RDF feed, a windows-1251
 * news feed, and the hostile ones (XXE, entity bombs).
 */

export interface FixtureEntry {
  id: string;
  title: string;
  /** ISO time. */
  at: string;
  html?: string;
  categories?: string[];
}

export function statusEntries(count: number, newest = Date.UTC(2026, 10, 20, 12)): FixtureEntry[] {
  const kinds = ['Degraded performance', 'Partial outage', 'Scheduled maintenance', 'Resolved', 'Investigating'];
  const parts = ['API', 'Dashboard', 'Webhooks', 'CI runners', 'Object storage', 'Search'];
  return Array.from({ length: count }, (_, n) => ({
    id: `incident-${count - n}`,
    title: `${kinds[n % kinds.length]}: ${parts[n % parts.length]} (#${count - n})`,
    at: new Date(newest - n * 3_600_000).toISOString(),
    html: `<p>We are investigating elevated error rates for <strong>${parts[n % parts.length]}</strong>.</p><p>Update ${n}: <a href="/incidents/${count - n}">details</a></p>`,
    categories: [parts[n % parts.length]!],
  }));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** RSS 2.0 as status pages publish it; `guidBase` lets a test rewrite every guid (http → https). */
export function rssFeed(entries: FixtureEntry[], options: { guidBase?: string; title?: string; site?: string } = {}): string {
  const site = options.site ?? 'https://status.example.com';
  const guidBase = options.guidBase ?? `${site}/incidents/`;
  const items = entries
    .map(
      (e) => `    <item>
      <title>${escapeXml(e.title)}</title>
      <link>${site}/incidents/${e.id}</link>
      <guid isPermaLink="true">${guidBase}${e.id}</guid>
      <pubDate>${new Date(e.at).toUTCString()}</pubDate>
${(e.categories ?? []).map((c) => `      <category>${escapeXml(c)}</category>`).join('\n')}
      <description><![CDATA[${e.html ?? ''}]]></description>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${escapeXml(options.title ?? 'Example Status')}</title>
    <link>${site}</link>
    <description>Incidents and maintenance</description>
${items}
  </channel>
</rss>
`;
}

/** Atom 1.0 as GitHub publishes releases. */
export function atomFeed(entries: FixtureEntry[], options: { title?: string; site?: string } = {}): string {
  const site = options.site ?? 'https://github.com/example/app';
  const body = entries
    .map(
      (e) => `  <entry>
    <id>tag:github.com,2008:Repository/1/${e.id}</id>
    <updated>${e.at}</updated>
    <link rel="alternate" type="text/html" href="${site}/releases/tag/${e.id}"/>
    <title>${escapeXml(e.title)}</title>
    <content type="html">${escapeXml(e.html ?? '')}</content>
    <author><name>release-bot</name></author>
  </entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-US">
  <id>tag:github.com,2008:${site}/releases</id>
  <link type="text/html" rel="alternate" href="${site}/releases"/>
  <title>${escapeXml(options.title ?? 'Release notes from app')}</title>
  <updated>${entries[0]?.at ?? '2026-01-01T00:00:00Z'}</updated>
${body}
</feed>
`;
}

export function jsonFeed(entries: FixtureEntry[], title = 'CI alerts'): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: 'https://ci.example.com/',
    items: entries.map((e) => ({ id: e.id, url: `https://ci.example.com/builds/${e.id}`, title: e.title, content_html: e.html ?? '', date_published: e.at, tags: e.categories ?? [] })),
  });
}

/** Russian news feed in windows-1251, declared only in the XML prolog. */
export function windows1251Feed(): Buffer {
  const xml = `<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0"><channel><title>Новости компании</title><link>https://news.example.ru/</link>
<item><title>Плановые работы в субботу</title><guid>news-1</guid><pubDate>Sat, 7 Nov 2026 9:05:00 +0300</pubDate>
<description>Сервис будет недоступен с 02:00 до 04:00.</description></item>
</channel></rss>`;
  return encode1251(xml);
}

/** windows-1251 encoder for the Cyrillic block plus ASCII: enough for the fixture, no extra dependency. */
function encode1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x410 && code <= 0x44f) bytes.push(code - 0x410 + 0xc0);
    else if (code === 0x401) bytes.push(0xa8);
    else if (code === 0x451) bytes.push(0xb8);
    else bytes.push(0x3f);
  }
  return Buffer.from(bytes);
}

/** An external entity pointing at a local file and at a URL the test watches. */
export function xxeFeed(secretFile: string, watchedUrl: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY file SYSTEM "file://${secretFile}">
  <!ENTITY remote SYSTEM "${watchedUrl}">
  <!ENTITY % param SYSTEM "${watchedUrl}?param">
  %param;
]>
<rss version="2.0"><channel><title>Innocent feed</title><link>https://x.example.com/</link>
<item><title>Leak: &file;</title><guid>xxe-1</guid><description>Remote: &remote;</description></item>
</channel></rss>`;
}

/** Billion laughs: ten levels of tenfold expansion. */
export function entityBombFeed(): string {
  const levels = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?>
<!DOCTYPE rss [
  ${levels.join('\n  ')}
]>
<rss version="2.0"><channel><title>Bomb</title><link>https://x.example.com/</link>
<item><title>&lol9;</title><guid>bomb-1</guid><description>&lol9;</description></item>
</channel></rss>`;
}
