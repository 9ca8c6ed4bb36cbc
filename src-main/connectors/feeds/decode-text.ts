/**
 * Feed bytes to text. Plenty of feeds are still windows-1251, KOI8-R or ISO-8859-x, and say so in
 * only one place: a byte-order mark, the HTTP Content-Type, the XML declaration, or (for the web page
 * a user pasted instead of a feed) a <meta> tag. They are consulted in that order, as browsers do.
 */

/** How much of the start is searched for a declaration; it must come first in the document. */
const HEAD_BYTES = 1024;

export function decodeFeedBytes(body: Uint8Array, contentType?: string): string {
  const bom = bomEncoding(body);
  if (bom) return new TextDecoder(bom).decode(body);
  const fromHeader = contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1] : undefined;
  if (fromHeader && isKnown(fromHeader)) return new TextDecoder(fromHeader).decode(body);
  const declared = declaredEncoding(body);
  return new TextDecoder(declared && isKnown(declared) ? declared : 'utf-8').decode(body);
}

function bomEncoding(body: Uint8Array): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  // "<?" in UTF-16 without a mark, which the XML specification also recognises.
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return 'utf-16le';
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return 'utf-16be';
  return undefined;
}

/** The XML declaration's encoding, or for an HTML page its <meta> charset. */
function declaredEncoding(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, HEAD_BYTES)).toString('latin1');
  const xml = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
  const label =
    xml ?? (/<!doctype\s+html|<html[\s>]/i.test(head) ? /<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head)?.[1] : undefined);
  // Text that could be read as ASCII to find this label is not UTF-16, whatever it says.
  return label && /^utf-?16/i.test(label) ? 'utf-8' : label;
}

function isKnown(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}
