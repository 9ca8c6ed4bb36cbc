/**
 * The snippet's fast path: the first readable text of a message prefix, found by walking the MIME
 * structure with plain string searches, without mailparser's stream machinery (which costs ten
 * times the IMAP FETCH itself per message). It handles what most mail is — single part, or
 * multipart with boundaries — and returns `undefined` for anything else, so the caller can fall
 * back to mailparser. Subject, sender and date come from the server's ENVELOPE, not from here.
 */
import libmime from 'libmime';
import { collapseWhitespace, htmlToText } from './html-text.ts';

export interface QuickText {
  text: string;
  references: string[];
  /** Only for raw 8-bit headers, which the server's ENVELOPE cannot decode (it shows U+FFFD). */
  subject?: string;
  from?: { name: string; address: string };
}

const MAX_DEPTH = 8;

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** `source` is read as latin1 so every byte maps to one char and decoding stays byte-exact. */
export function quickText(source: Buffer): QuickText | undefined {
  const part = splitPart(source.toString('latin1'));
  if (!part) return undefined;
  const text = textOf(part, 0);
  if (text === undefined) return undefined;
  const result: QuickText = { text, references: (part.headers.get('references') ?? '').match(/<[^<>\s]{1,998}>/g) ?? [] };
  // A raw 8-bit header may still hold encoded words beside the raw bytes: the reading pane's
  // parser decodes both, so the list must too. The name is decoded after the address is split
  // off, so a decoded "<" or quote cannot move the boundary.
  const subject = eightBitHeader(part.headers.get('subject'));
  if (subject !== undefined) result.subject = decodeWords(subject);
  const from = eightBitHeader(part.headers.get('from'));
  if (from !== undefined) {
    const mailbox = parseMailbox(from);
    result.from = { name: decodeWords(mailbox.name), address: mailbox.address };
  }
  return result;
}

/**
 * Undeclared 8-bit header bytes: UTF-8 when they are valid UTF-8, else windows-1252 (the usual
 * sender of such mail). Plain ASCII headers return undefined and the ENVELOPE stays in charge.
 */
export function eightBitHeader(latin1Value: string | undefined): string | undefined {
  if (latin1Value === undefined || !/[\x80-\xff]/.test(latin1Value)) return undefined;
  const bytes = Buffer.from(latin1Value, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Encoded words, decoded the way mailparser does; a malformed one is left as written. */
function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function parseMailbox(value: string): { name: string; address: string } {
  const match = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]*)>/.exec(value);
  if (!match) return { name: '', address: value.trim() };
  return { name: (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1').trim(), address: (match[3] ?? '').trim() };
}

function splitPart(raw: string): Part | undefined {
  let end = raw.indexOf('\r\n\r\n');
  let skip = 4;
  const lf = raw.indexOf('\n\n');
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf;
    skip = 2;
  }
  // A head that does not end inside the prefix (a giant header block) is not ours to guess at.
  if (end < 0) return undefined;
  const headers = new Map<string, string>();
  let name = '';
  for (const line of raw.slice(0, end).split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && name) {
      headers.set(name, `${headers.get(name) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    name = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence wins, as in mail readers; later duplicates are usually forged.
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
    else name = '';
  }
  return { headers, body: raw.slice(end + skip) };
}

function contentType(part: Part): { type: string; params: Map<string, string> } {
  const value = part.headers.get('content-type') ?? 'text/plain';
  const [type = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    params.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

/** `undefined`: cannot tell (send to the full parser); '': a valid message with no text to show. */
function textOf(part: Part, depth: number): string | undefined {
  const { type, params } = contentType(part);
  const attachment = /^\s*attachment/i.test(part.headers.get('content-disposition') ?? '');
  if (type === 'text/plain' || type === 'text/html') {
    if (attachment) return '';
    const decoded = decodeBody(part.body, part.headers.get('content-transfer-encoding') ?? '', params.get('charset') ?? 'us-ascii');
    if (decoded === undefined) return undefined;
    return type === 'text/html' ? htmlToText(decoded) : collapseWhitespace(decoded);
  }
  if (type.startsWith('multipart/')) {
    const boundary = params.get('boundary');
    if (!boundary || depth >= MAX_DEPTH) return undefined;
    const children = splitMultipart(part.body, boundary);
    if (children.length === 0) return undefined;
    // In multipart/alternative the plain text is what the sender meant as text.
    const ordered =
      type === 'multipart/alternative'
        ? [...children].sort((a, b) => rank(contentType(a).type) - rank(contentType(b).type))
        : children;
    for (const child of ordered) {
      const text = textOf(child, depth + 1);
      if (text === undefined) return undefined;
      if (text !== '') return text;
    }
    return '';
  }
  if (type === 'message/rfc822') return undefined;
  return '';
}

const rank = (type: string) => (type === 'text/plain' ? 0 : type === 'text/html' ? 1 : 2);

function splitMultipart(body: string, boundary: string): Part[] {
  const delimiter = `--${boundary}`;
  const parts: Part[] = [];
  let at = body.startsWith(delimiter) ? 0 : body.indexOf(`\n${delimiter}`);
  if (at < 0) return [];
  if (at > 0) at += 1;
  for (;;) {
    const lineEnd = body.indexOf('\n', at);
    if (body.startsWith(`${delimiter}--`, at) || lineEnd < 0) break;
    const next = body.indexOf(`\n${delimiter}`, lineEnd);
    // The prefix may end inside the last part: what we have of it still counts.
    const chunk = body.slice(lineEnd + 1, next < 0 ? body.length : next).replace(/\r$/, '');
    const part = splitPart(chunk) ?? { headers: new Map(), body: chunk };
    parts.push(part);
    if (next < 0) break;
    at = next + 1;
  }
  return parts;
}

function decodeBody(body: string, transferEncoding: string, charset: string): string | undefined {
  const encoding = transferEncoding.trim().toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (encoding === '' || encoding === '7bit' || encoding === '8bit' || encoding === 'binary') bytes = Buffer.from(body, 'latin1');
  else return undefined;
  const decoder = decoderFor(charset.trim().toLowerCase() || 'us-ascii');
  return decoder ? decoder.decode(bytes) : undefined;
}

// Building an ICU converter costs more than decoding a snippet, so each charset gets one.
const decoders = new Map<string, { decode(bytes: Uint8Array): string } | null>();

function decoderFor(label: string): { decode(bytes: Uint8Array): string } | undefined {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null;
    }
    // Labels come from mail; a flood of made-up ones must not grow the cache without bound.
    if (decoders.size < 64) decoders.set(label, decoder);
  }
  return decoder ?? undefined;
}

function decodeQuotedPrintable(body: string): Buffer {
  const unfolded = body.replace(/=\r?\n/g, '');
  const out = Buffer.alloc(unfolded.length);
  let n = 0;
  for (let i = 0; i < unfolded.length; i++) {
    const ch = unfolded.charCodeAt(i);
    if (ch === 0x3d && i + 2 < unfolded.length) {
      const hex = unfolded.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[n++] = parseInt(hex, 16);
        i += 2;
        continue;
      }
    }
    out[n++] = ch & 0xff;
  }
  return out.subarray(0, n);
}
