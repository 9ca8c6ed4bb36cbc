/**
 * The message being answered or forwarded, read from its mailbox with BODY.PEEK (reading it to
 * answer does not mark it read): the headers an answer needs and the body text to quote. mailparser
 * behind the same fence as the reading pane (capped fetch, a timeout).
 */
import type { ImapFlow } from 'imapflow';
import { simpleParser, type AddressObject } from 'mailparser';
import { ConnectorError } from '../../connector.ts';
import { htmlToText } from '../html-text.ts';
import type { Mailbox, OriginalHeaders } from './reply-headers.ts';

/** An answer quotes text, not attachments: more than this is not fetched. */
export const ORIGINAL_SOURCE_BYTES = 4 * 1024 * 1024;
/** A forward as attachment carries the whole message, up to what a message may carry. */
export const ATTACHED_ORIGINAL_BYTES = 25 * 1024 * 1024;
const PARSE_TIMEOUT_MS = 10_000;

export interface Original {
  headers: OriginalHeaders;
  text: string;
}

function mailboxes(value: AddressObject | AddressObject[] | undefined): Mailbox[] {
  if (!value) return [];
  const out: Mailbox[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) out.push({ name: entry.name ?? '', address: entry.address });
    }
  };
  for (const object of Array.isArray(value) ? value : [value]) visit(object.value);
  return out;
}

function ids(value: string | string[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((v) => v.match(/<[^<>\s]{1,998}>/g) ?? []);
}

export async function readOriginal(client: ImapFlow, uid: number): Promise<Original> {
  const message = await client.fetchOne(String(uid), { uid: true, source: { start: 0, maxLength: ORIGINAL_SOURCE_BYTES } }, { uid: true });
  if (!message || !message.source) throw new ConnectorError('not-found', 'The message is no longer on the server, so it cannot be answered from here.');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const parsed = await Promise.race([
    simpleParser(message.source, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: ORIGINAL_SOURCE_BYTES, checksumAlgo: false }),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), PARSE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
  if (!parsed) throw new ConnectorError('protocol', 'The message could not be read in time to quote it; answer it from another client, or try again.');
  const text = typeof parsed.text === 'string' && parsed.text.trim() !== '' ? parsed.text : typeof parsed.html === 'string' ? htmlToText(parsed.html) : '';
  const headers: OriginalHeaders = {
    from: mailboxes(parsed.from),
    replyTo: mailboxes(parsed.replyTo),
    to: mailboxes(parsed.to),
    cc: mailboxes(parsed.cc),
    subject: parsed.subject ?? '',
    references: ids(parsed.references),
  };
  if (parsed.messageId) headers.messageId = parsed.messageId;
  const inReplyTo = ids(parsed.inReplyTo)[0];
  if (inReplyTo) headers.inReplyTo = inReplyTo;
  if (parsed.date instanceof Date && !Number.isNaN(parsed.date.getTime())) headers.date = parsed.date;
  return { headers, text };
}

/** The whole message, for a forward as attachment. */
export async function readOriginalSource(client: ImapFlow, uid: number): Promise<{ raw: Uint8Array; subject: string }> {
  const message = await client.fetchOne(String(uid), { uid: true, envelope: true, size: true, source: { start: 0, maxLength: ATTACHED_ORIGINAL_BYTES } }, { uid: true });
  if (!message || !message.source) throw new ConnectorError('not-found', 'The message is no longer on the server, so it cannot be forwarded from here.');
  if (typeof message.size === 'number' && message.size > ATTACHED_ORIGINAL_BYTES) {
    throw new ConnectorError('invalid-input', `The message is ${(message.size / 1048576).toFixed(1)} MB, more than a message may carry; forward it inline instead.`);
  }
  return { raw: new Uint8Array(message.source), subject: message.envelope?.subject ?? 'message' };
}
