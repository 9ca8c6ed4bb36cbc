import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stripDoctype } from './feed-xml.ts';
import { parseFeed } from './parse-feed.ts';

const directory = mkdtempSync(join(tmpdir(), 'groundswell-xxe-'));
const CANARY = `canary-${process.pid}-${Date.now()}-never-in-a-feed`;
const canaryFile = join(directory, 'secret.txt');
writeFileSync(canaryFile, CANARY);
const canaryUrl = pathToFileURL(canaryFile).href;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseFeed: DTDs are never obeyed', () => {
  it('does not expand an external entity pointing at a local file', () => {
    const rss = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "${canaryUrl}">
  <!ENTITY inline "<title>injected</title>">
]>
<rss version="2.0"><channel><title>Feed &xxe;</title><link>https://a.example/</link>
<item><title>Item &xxe;&inline;</title><link>https://a.example/&xxe;</link><description>&xxe;</description><content:encoded>&xxe;</content:encoded></item>
</channel></rss>`;
    const feed = parseFeed(rss, 'https://a.example/feed');
    const json = JSON.stringify(feed);
    expect(json).not.toContain(CANARY);
    expect(json).not.toContain('injected');
    // Nothing of the internal subset is left over to leak into text.
    expect(json).not.toMatch(/\]>|ENTITY|SYSTEM/);
    expect(feed.title).toBe('Feed &xxe;');
    expect(feed.entries).toHaveLength(1);
    expect(feed.entries[0]!.title).toBe('Item &xxe;&inline;');
  });

  it('does not expand a parameter entity either, in Atom', () => {
    const atom = `<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY % file SYSTEM "${canaryUrl}">
  <!ENTITY % wrap "<!ENTITY leak '%file;'>">
  %wrap;
  <!-- a comment with ]> and "quotes' inside -->
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom &leak;</title><entry><id>1</id><title>%file; &leak;</title></entry></feed>`;
    const feed = parseFeed(atom, 'https://a.example/atom');
    const json = JSON.stringify(feed);
    expect(json).not.toContain(CANARY);
    expect(json).not.toMatch(/\]>|ENTITY|quotes/);
    expect(feed.entries[0]!.title).toBe('%file; &leak;');
  });

  it('reads nothing from markup inside the internal subset', () => {
    // The tokenizer ends a declaration at its first '>', so without the DOCTYPE removed this entity
    // value would become a root element of its own, ahead of the real one.
    const rss = `<!DOCTYPE rss [ <!ENTITY spoof "<rss><channel><title>Spoofed</title><item><title>Fake</title></item></channel></rss>"> ]>
<rss version="2.0"><channel><title>Real</title><item><title>Genuine</title></item></channel></rss>`;
    const feed = parseFeed(rss, 'https://a.example/feed');
    expect(feed.title).toBe('Real');
    expect(feed.entries.map((entry) => entry.title)).toEqual(['Genuine']);
  });

  it('gets through a billion laughs quickly and small', () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let level = 1; level <= 9; level++) levels.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n ${levels.join('\n ')}\n]>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>`;
    const started = performance.now();
    const feed = parseFeed(bomb, 'https://a.example/feed');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1000);
    expect(JSON.stringify(feed).length).toBeLessThan(10_000);
    expect(feed.title).toBe('&lol9;');
  });
});

describe('stripDoctype', () => {
  it('removes a DOCTYPE whose subset holds quoted > and ] and comments, and nothing else', () => {
    const head = '<?xml version="1.0"?>\n<!-- lead -->\n';
    const doctype = '<!DOCTYPE rss PUBLIC "-//x//EN" "a>b.dtd" [ <!ENTITY a "x]>y"> <!ENTITY b \'q">\'> <!-- ]> --> ]>';
    const body = '<rss><channel><title>ok</title></channel></rss>';
    expect(stripDoctype(head + doctype + body)).toBe(head + body);
    expect(stripDoctype(body)).toBe(body);
  });

  it('gives up at the first > on a DOCTYPE that never ends, instead of swallowing the feed', () => {
    expect(stripDoctype('<!DOCTYPE rss PUBLIC "unterminated><rss><channel/></rss>')).toBe('<rss><channel/></rss>');
  });

  it('takes linear time on a hostile subset', () => {
    // A backtracking pattern would take minutes here; the test timeout is the guard.
    stripDoctype('<!DOCTYPE x [' + '<!--'.repeat(100_000));
    stripDoctype('<!DOCTYPE x [' + '"'.repeat(200_000) + '<!-- '.repeat(50_000));
    // Never terminated and no '>' anywhere: all of it was the DOCTYPE.
    expect(stripDoctype('<!DOCTYPE x [' + '['.repeat(200_000))).toBe('');
  });
});

describe('parseFeed: broken documents', () => {
  it('reads the entries of a feed cut off in the middle', () => {
    const full = '<rss version="2.0"><channel><title>T</title><item><title>One</title><guid>1</guid></item><item><title>Two</title><guid>2</guid></item><item><title>Thr';
    const feed = parseFeed(full, 'https://a.example/f');
    expect(feed.entries.map((entry) => entry.title)).toEqual(['One', 'Two', 'Thr']);
  });

  it('reads items that were never closed and tags that close nothing', () => {
    const rss = '<rss><channel><title>T</title><item><title>A</title></titel><item><title>B</title></item></chanel><item><title>C</title></item></channel></rss>';
    expect(parseFeed(rss, 'https://a.example/f').entries.map((entry) => entry.title)).toEqual(['A', 'B', 'C']);
  });

  it('reads tags in any case and entities HTML feeds use where XML has none', () => {
    const rss = '<RSS version="2.0"><Channel><Title>Caf&eacute; &amp; bar&nbsp;</Title><Item><Title>x</Title><PubDate>Mon, 20 May 2024 09:14:07 +0000</PubDate></Item></Channel></RSS>';
    const feed = parseFeed(rss, 'https://a.example/f');
    expect(feed.title).toBe('Café & bar');
    expect(feed.entries[0]!.published).toBe(Date.parse('2024-05-20T09:14:07Z'));
  });
});
