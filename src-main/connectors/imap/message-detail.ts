/**
 * The reading pane's view of one message: a few headers and the body as plain text. Fetched with
 * BODY.PEEK (imapflow's `source`), so opening a message never marks it read on the server.
 */
import type { ImapFlow } from 'imapflow';
import type { ItemDetail } from '../../../src-shared/domain.ts';
import type { Logger } from '../../common/logger.ts';
import { ConnectorError } from '../connector.ts';
import { DETAIL_LIMITS, parseMessage } from './parse-message.ts';

/** More than this is not fetched: it would be attachments, not text anyone reads in a pane. */
export const DETAIL_SOURCE_BYTES = 4 * 1024 * 1024;
export const BODY_TEXT_CHARS = 1024 * 1024;

export async function loadMessageDetail(client: ImapFlow, uid: number, log: Logger): Promise<Omit<ItemDetail, 'item'>> {
  const message = await client.fetchOne(
    String(uid),
    { uid: true, envelope: true, size: true, source: { start: 0, maxLength: DETAIL_SOURCE_BYTES } },
    { uid: true },
  );
  if (!message) throw new ConnectorError('not-found', 'This message is no longer on the server.');
  const envelope = message.envelope;
  const fallbackHeaders = [
    { name: 'From', value: (envelope?.from ?? []).map(formatAddress).join(', ') },
    { name: 'To', value: (envelope?.to ?? []).map(formatAddress).join(', ') },
    { name: 'Cc', value: (envelope?.cc ?? []).map(formatAddress).join(', ') },
    { name: 'Date', value: envelope?.date ? formatDate(envelope.date) : '' },
    { name: 'Subject', value: envelope?.subject ?? '' },
  ].filter((h) => h.value !== '');

  const parsed = message.source ? await parseMessage(message.source, DETAIL_LIMITS) : undefined;
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
  if (typeof message.size === 'number' && message.size > DETAIL_SOURCE_BYTES) {
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
