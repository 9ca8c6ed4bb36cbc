import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from './decode-text.ts';

const CYRILLIC = 'Новости: сбой в работе сервиса';
const feed = (encodingDeclaration: string, title: string) =>
  `<?xml version="1.0"${encodingDeclaration}?><rss version="2.0"><channel><title>${title}</title></channel></rss>`;

/** Encodes with a single-byte table built from TextDecoder, since Node has no encoder for these. */
function encodeSingleByte(text: string, label: string): Uint8Array {
  const decoder = new TextDecoder(label);
  const table = new Map<string, number>();
  for (let byte = 0; byte < 256; byte++) table.set(decoder.decode(new Uint8Array([byte])), byte);
  return Uint8Array.from([...text].map((char) => {
    const byte = table.get(char);
    if (byte === undefined) throw new Error(`${char} is not in ${label}`);
    return byte;
  }));
}

describe('decodeFeedBytes', () => {
  it('reads windows-1251 named by the HTTP header', () => {
    const body = encodeSingleByte(feed('', CYRILLIC), 'windows-1251');
    expect(decodeFeedBytes(body, 'application/rss+xml; charset=windows-1251')).toContain(CYRILLIC);
  });

  it('reads windows-1251 named only by the XML declaration', () => {
    const body = encodeSingleByte(feed(' encoding="windows-1251"', CYRILLIC), 'windows-1251');
    expect(decodeFeedBytes(body, 'text/xml')).toContain(CYRILLIC);
    expect(decodeFeedBytes(body)).toContain(CYRILLIC);
  });

  it('reads KOI8-R, ISO-8859-2 and ISO-8859-15 from their declarations', () => {
    const cases = [
      ['koi8-r', 'Сводка за неделю'],
      ['ISO-8859-2', 'Zażółć gęślą jaźń – Łódź'.replace('–', '-')],
      ['iso-8859-15', 'Prix : 20 € — œuvre'.replace('—', '-')],
    ] as const;
    for (const [label, title] of cases) {
      const body = encodeSingleByte(feed(` encoding='${label}'`, title), label);
      expect(decodeFeedBytes(body), label).toContain(title);
    }
  });

  it('lets a byte-order mark win over everything and drops it', () => {
    const text = feed(' encoding="iso-8859-1"', 'Grüße ✓');
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(decodeFeedBytes(body, 'text/xml; charset=iso-8859-1')).toBe(text);
    const utf16 = Buffer.from('\ufeff' + text, 'utf16le');
    expect(decodeFeedBytes(utf16, 'text/xml; charset=windows-1252')).toBe(text);
  });

  it('lets the HTTP header win over the XML declaration', () => {
    const body = new TextEncoder().encode(feed(' encoding="windows-1251"', 'Grüße'));
    expect(decodeFeedBytes(body, 'application/xml; charset="UTF-8"')).toContain('Grüße');
  });

  it('reads an HTML page\'s meta charset, in both forms', () => {
    const title = 'Новости';
    const page = (meta: string) => encodeSingleByte(`<!DOCTYPE html><html><head>${meta}<title>${title}</title></head></html>`, 'windows-1251');
    expect(decodeFeedBytes(page('<meta charset="windows-1251">'), 'text/html')).toContain(title);
    expect(decodeFeedBytes(page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'))).toContain(title);
  });

  it('falls back to UTF-8 for unknown labels and for a UTF-16 claim in ASCII-readable text', () => {
    const text = feed(' encoding="x-made-up"', 'Grüße');
    expect(decodeFeedBytes(new TextEncoder().encode(text), 'text/xml; charset=bogus')).toBe(text);
    const claimed = feed(' encoding="UTF-16"', 'Grüße');
    expect(decodeFeedBytes(new TextEncoder().encode(claimed))).toBe(claimed);
  });
});
