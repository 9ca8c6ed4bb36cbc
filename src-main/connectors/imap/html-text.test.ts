import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, toSnippet } from './html-text.ts';

describe('htmlToText', () => {
  it('drops scripts, styles, comments and head, and keeps line structure', () => {
    const html =
      '<html><head><title>T</title><style>p{color:red}</style></head><body><script>alert(1)</script>' +
      '<!-- hidden --><h1>Hello</h1><p>first&nbsp;line</p><p>second <b>bold</b> line</p></body></html>';
    expect(htmlToText(html)).toBe('Hello\nfirst line\nsecond bold line');
  });

  it('does not split words at inline formatting', () => {
    expect(htmlToText('H<b>e</b>llo <span>wor</span>ld')).toBe('Hello world');
  });

  it('stops at an unterminated tag, comment or style instead of leaking it', () => {
    expect(htmlToText('visible <style>p{color:red}')).toBe('visible');
    expect(htmlToText('visible <!-- never closed <p>x</p>')).toBe('visible');
    expect(htmlToText('visible <a href="x"')).toBe('visible');
  });

  it('gets through input built to make a backtracking scan quadratic', () => {
    // A quadratic scan of this would run for minutes and hit the test timeout.
    expect(htmlToText('text ' + '<'.repeat(200_000))).toBe('text');
    expect(htmlToText('a<b>b</b>' + '<style>'.repeat(20_000))).toBe('ab');
    expect(htmlToText('c' + '<!--'.repeat(20_000))).toBe('c');
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex entities and leaves unknown ones alone', () => {
    expect(decodeEntities('&amp; &lt;a&gt; &#8364; &#x1F4C5; &eacute;t&eacute; &bogus; &#0;')).toBe('& <a> € 📅 été &bogus; ');
  });
});

describe('toSnippet', () => {
  it('keeps short text and cuts long text near a word boundary', () => {
    expect(toSnippet('  short\n text ')).toBe('short text');
    const long = 'word '.repeat(100);
    const snippet = toSnippet(long, 200);
    expect(snippet.length).toBeLessThanOrEqual(201);
    expect(snippet.endsWith('word…')).toBe(true);
  });
});
