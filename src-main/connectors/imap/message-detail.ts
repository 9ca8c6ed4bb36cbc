/**
 * The reading pane's view of one message. BODYSTRUCTURE first, then only the parts a reader sees:
 * the text, the HTML and the images the HTML names by cid:. Attachments are listed, not fetched;
 * `loadAttachment` brings one when the user asks. Every FETCH is BODY.PEEK, so opening a message
 * never marks it read on the server. A server without a usable BODYSTRUCTURE gets the old way: the
 * first megabytes of the source, parsed by mailparser.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import libmime from 'libmime';
import type { Readable } from 'node:stream';
import type { ConnectorDetail, ConnectorMailSource } from '../connector.ts';
import type { Logger } from '../../common/logger.ts';
import { ConnectorError } from '../connector.ts';
import { htmlToText } from './html-text.ts';
import { decodedSize, planMessage } from './message-structure.ts';
import type { MailPart } from './message-structure.ts';
import { DETAIL_LIMITS, parseMessage } from './parse-message.ts';

/** More than this is not fetched by the fallback: it would be attachments, not text anyone reads in a pane. */
export const DETAIL_SOURCE_BYTES = 4 * 1024 * 1024;
export const BODY_TEXT_CHARS = 1024 * 1024;
/** The HTML part is fetched up to this many bytes: a 5 MB newsletter shows whole. */
export const HTML_PART_BYTES = 8 * 1024 * 1024;
/** Inline images are fetched with the message up to these sizes; a bigger one shows as an attachment. */
export const INLINE_IMAGE_BYTES = 2 * 1024 * 1024;
export const INLINE_IMAGES_TOTAL_BYTES = 10 * 1024 * 1024;
const INLINE_TYPES = /^image\/(png|gif|jpeg|jpg|webp|bmp|avif)$/;

export async function loadMessageDetail(client: ImapFlow, uid: number, log: Logger): Promise<ConnectorDetail> {
  const message = await client.fetchOne(
    String(uid),
    { uid: true, envelope: true, size: true, bodyStructure: true, headers: ['disposition-notification-to'] },
    { uid: true },
  );
  if (!message) throw new ConnectorError('not-found', 'This message is no longer on the server.');
  if (!message.bodyStructure) return loadFromSource(client, uid, message, log);

  const plan = planMessage(message.bodyStructure);
  const text = plan.text ? await downloadText(client, uid, plan.text, BODY_TEXT_CHARS * 4) : undefined;
  const html = plan.html ? await downloadText(client, uid, plan.html, HTML_PART_BYTES) : undefined;

  const inlineImages: Record<string, string> = {};
  const referenced = html === undefined ? new Set<string>() : cidsIn(html.text);
  let budget = INLINE_IMAGES_TOTAL_BYTES;
  const attachmentParts: MailPart[] = [...plan.attachments];
  for (const part of plan.inline) {
    const cid = part.contentId ?? '';
    const size = decodedSize(part);
    if (!referenced.has(cid) || !INLINE_TYPES.test(part.contentType) || size > INLINE_IMAGE_BYTES || size > budget) {
      attachmentParts.push(part);
      continue;
    }
    const bytes = await downloadBytes(client, uid, part.part, INLINE_IMAGE_BYTES);
    budget -= bytes.length;
    inlineImages[cid] = `data:${part.contentType};base64,${bytes.toString('base64')}`;
  }

  const notes: string[] = [];
  let bodyText = text?.text ?? (html ? htmlToText(html.text) : '');
  if (bodyText.length > BODY_TEXT_CHARS) {
    bodyText = bodyText.slice(0, BODY_TEXT_CHARS);
    notes.push('[The text is longer than 1 MB and was cut here.]');
  }
  if (html?.cut) notes.push(`[The HTML of this message is longer than ${HTML_PART_BYTES / (1024 * 1024)} MB; only the first part is shown.]`);
  if (notes.length > 0) bodyText = `${bodyText}\n\n${notes.join('\n')}`;

  const mailSource: ConnectorMailSource = {
    inlineImages,
    attachments: attachmentParts.map((part) => ({ ref: part.part, name: attachmentName(part), contentType: part.contentType, size: decodedSize(part) })),
  };
  if (html) mailSource.html = html.text;
  const sender = message.envelope?.from?.[0]?.address;
  if (sender) mailSource.senderAddress = sender;
  const receipt = headerValue(message.headers, 'disposition-notification-to');
  if (receipt) mailSource.receiptRequested = receipt;
  return { headers: envelopeHeaders(message), bodyText, mailSource };
}

/** One attachment's decoded bytes, fetched with a partial FETCH of that part only. */
export async function loadAttachment(client: ImapFlow, uid: number, ref: string, maxBytes: number): Promise<Buffer> {
  if (!/^[0-9]+(\.[0-9]+)*$/.test(ref)) throw new ConnectorError('invalid-input', 'That attachment is not part of this message.');
  const bytes = await downloadBytes(client, uid, ref, maxBytes + 1);
  if (bytes.length > maxBytes) {
    throw new ConnectorError('invalid-input', `This attachment is larger than ${Math.round(maxBytes / (1024 * 1024))} MB, more than Groundswell hands over at once; save it from another mail client.`);
  }
  return bytes;
}

async function downloadText(client: ImapFlow, uid: number, part: MailPart, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  // Large chunks: a 5 MB part in a few round trips rather than eighty.
  const found = await client.download(String(uid), part.part, { uid: true, maxBytes: maxBytes + 1, chunkSize: 1024 * 1024 });
  if (!('content' in found) || !found.content) return { text: '', cut: false };
  const bytes = await collect(found.content, maxBytes + 1);
  const cut = bytes.length > maxBytes;
  // imapflow converted the part to UTF-8 (decodeText defaults to true).
  return { text: (cut ? bytes.subarray(0, maxBytes) : bytes).toString('utf8'), cut };
}

async function downloadBytes(client: ImapFlow, uid: number, part: string, maxBytes: number): Promise<Buffer> {
  const found = await client.download(String(uid), part, { uid: true, maxBytes, decodeText: false, chunkSize: 1024 * 1024 });
  if (!('content' in found) || !found.content) throw new ConnectorError('not-found', 'That part of the message is no longer on the server.');
  return collect(found.content, maxBytes);
}

async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    length += buffer.length;
    if (length >= maxBytes) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/** The cid: references in an HTML part, lower-case: only those images are fetched. */
function cidsIn(html: string): Set<string> {
  const found = new Set<string>();
  for (const match of html.matchAll(/cid:([^"'()\s>]{1,300})/gi)) {
    let cid = match[1]!;
    try {
      cid = decodeURIComponent(cid);
    } catch {
      // Kept as written.
    }
    found.add(cid.toLowerCase());
  }
  return found;
}

function attachmentName(part: MailPart): string {
  if (part.fileName) return libmime.decodeWords(part.fileName);
  if (part.contentType === 'message/rfc822') return 'attached message.eml';
  return `part ${part.part}`;
}

function headerValue(raw: Buffer | undefined, name: string): string | undefined {
  if (!raw) return undefined;
  const unfolded = raw.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return libmime.decodeWords(line.slice(colon + 1).trim()) || undefined;
  }
  return undefined;
}

function envelopeHeaders(message: FetchMessageObject): { name: string; value: string }[] {
  const envelope = message.envelope;
  return [
    { name: 'From', value: (envelope?.from ?? []).map(formatAddress).join(', ') },
    { name: 'To', value: (envelope?.to ?? []).map(formatAddress).join(', ') },
    { name: 'Cc', value: (envelope?.cc ?? []).map(formatAddress).join(', ') },
    { name: 'Date', value: envelope?.date ? formatDate(envelope.date) : '' },
    { name: 'Subject', value: envelope?.subject ?? '' },
  ].filter((h) => h.value !== '');
}

async function loadFromSource(client: ImapFlow, uid: number, envelopeOnly: FetchMessageObject, log: Logger): Promise<ConnectorDetail> {
  const message = await client.fetchOne(String(uid), { uid: true, size: true, source: { start: 0, maxLength: DETAIL_SOURCE_BYTES } }, { uid: true });
  const fallbackHeaders = envelopeHeaders(envelopeOnly);
  const parsed = message && message.source ? await parseMessage(message.source, DETAIL_LIMITS) : undefined;
  if (!parsed) {
    log.debug('message body could not be parsed', { uid });
    return { headers: fallbackHeaders, bodyText: '', bodyError: 'The message body could not be read: its MIME structure is broken or too complex.' };
  }
  const headers = [
    { name: 'From', value: parsed.fromText ?? '' },
    { name: 'To', value: parsed.toText ?? '' },
    { name: 'Cc', value: parsed.ccText ?? '' },
    { name: 'Date', value: parsed.date ? formatDate(parsed.date) : '' },
    { name: 'Subject', value: parsed.subject ?? '' },
  ];
  // Where the parse lost a header (e.g. one beyond a huge header block), the server's envelope still has it.
  for (const header of headers) if (header.value === '') header.value = fallbackHeaders.find((h) => h.name === header.name)?.value ?? '';
  let bodyText = parsed.text;
  const notes: string[] = [];
  if (bodyText.length > BODY_TEXT_CHARS) {
    bodyText = bodyText.slice(0, BODY_TEXT_CHARS);
    notes.push('[The text is longer than 1 MB and was cut here.]');
  }
  if (message && typeof message.size === 'number' && message.size > DETAIL_SOURCE_BYTES) {
    notes.push(`[Only the first ${DETAIL_SOURCE_BYTES / (1024 * 1024)} MB of this ${(message.size / (1024 * 1024)).toFixed(1)} MB message were loaded.]`);
  }
  if (notes.length > 0) bodyText = `${bodyText}\n\n${notes.join('\n')}`;
  return { headers: headers.filter((h) => h.value !== ''), bodyText };
}

function formatAddress(address: { name?: string | undefined; address?: string | undefined }): string {
  if (address.name && address.address) return `${address.name} <${address.address}>`;
  return address.name || address.address || '';
}

function formatDate(value: Date | string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toUTCString();
}
