/**
 * The one place where an IMAP message becomes a ConnectorItem. Parsed fields win; the server's
 * ENVELOPE fills whatever the (possibly failed or truncated) parse could not provide.
 */
import type { MessageStructureObject } from 'imapflow';
import type { ItemOrigin } from '../../../src-shared/domain.ts';
import type { ConnectorItem } from '../connector.ts';
import { toSnippet } from './html-text.ts';
import { hasAttachments } from './message-structure.ts';
import type { ParsedMessage } from './parse-message.ts';

export interface EnvelopeFacts {
  date?: Date | string | undefined;
  subject?: string | undefined;
  messageId?: string | undefined;
  inReplyTo?: string | undefined;
  from?: EnvelopeAddress[] | undefined;
  to?: EnvelopeAddress[] | undefined;
  cc?: EnvelopeAddress[] | undefined;
}

/** How this message arrived, for the facts attention rules match on. */
export interface Arrival {
  /** Came in after the last sync (a live EXISTS, new UIDs at resume), not with the first sync. */
  fresh: boolean;
  /** The account's own address, when its login is one. */
  me?: string | undefined;
}

type EnvelopeAddress = { name?: string | undefined; address?: string | undefined };

export interface FetchedFacts {
  uid: number;
  flags?: Set<string> | undefined;
  envelope?: EnvelopeFacts | undefined;
  internalDate?: Date | string | undefined;
  bodyStructure?: MessageStructureObject | undefined;
}

/** Enough recipients for to: to find anyone a person would search for. */
const MAX_RECIPIENTS = 50;

export const SEARCH_TEXT_CHARS = 2_000;

export function externalIdOf(mailbox: string, uidValidity: number, uid: number): string {
  return `${mailbox}:${uidValidity}:${uid}`;
}

/** Reads `${mailbox}:${uidValidity}:${uid}` from the right, since a mailbox path may contain ':'. */
export function parseExternalId(externalId: string): { mailbox: string; uidValidity: number; uid: number } | undefined {
  const last = externalId.lastIndexOf(':');
  const middle = externalId.lastIndexOf(':', last - 1);
  if (middle <= 0) return undefined;
  const uidValidity = Number(externalId.slice(middle + 1, last));
  const uid = Number(externalId.slice(last + 1));
  if (!Number.isSafeInteger(uidValidity) || !Number.isSafeInteger(uid) || uid <= 0) return undefined;
  return { mailbox: externalId.slice(0, middle), uidValidity, uid };
}

export function toConnectorItem(
  mailbox: string,
  uidValidity: number,
  facts: FetchedFacts,
  parsed: ParsedMessage | undefined,
  arrival: Arrival = { fresh: false },
): ConnectorItem {
  const envelope = facts.envelope ?? {};
  const envelopeFrom = envelope.from?.[0];
  const sender =
    clean(parsed?.from?.name) || clean(envelopeFrom?.name) || clean(parsed?.from?.address) || clean(envelopeFrom?.address) || '(unknown sender)';
  const senderAddress = clean(parsed?.from?.address) || clean(envelopeFrom?.address);
  const title = clean(parsed?.subject) || clean(envelope.subject) || '(no subject)';
  const messageId = parsed?.messageId ?? envelope.messageId ?? undefined;
  const inReplyTo = parsed?.inReplyTo ?? envelope.inReplyTo ?? undefined;
  const text = parsed?.text ?? '';
  const origin: ItemOrigin = { kind: 'mail', mailbox, uidValidity, uid: facts.uid };
  if (messageId) origin.messageId = messageId;
  if (hasAttachments(facts.bodyStructure)) origin.hasAttachments = true;
  const item: ConnectorItem = {
    externalId: externalIdOf(mailbox, uidValidity, facts.uid),
    scope: mailbox,
    source: 'mail',
    conversationKey: conversationKey(parsed?.references ?? [], inReplyTo, messageId, title),
    sender,
    ...(senderAddress ? { senderAddress } : {}),
    title,
    snippet: toSnippet(text),
    timestamp: timestampOf(parsed?.date, envelope.date, facts.internalDate),
    unread: !(facts.flags?.has('\\Seen') ?? false),
    priority: facts.flags?.has('\\Flagged') ?? false,
    origin,
    facts: { starred: facts.flags?.has('\\Flagged') ?? false },
    attention: attentionFacts(mailbox, envelope, senderAddress, title, text, arrival),
  };
  if (text.length > 0) item.searchText = text.slice(0, SEARCH_TEXT_CHARS);
  const recipients = [...(envelope.to ?? []), ...(envelope.cc ?? [])]
    .slice(0, MAX_RECIPIENTS)
    .map((a) => [clean(a.name), clean(a.address)].filter((p) => p !== '').join(' '))
    .filter((r) => r !== '')
    .join(', ');
  if (recipients !== '') item.recipients = recipients;
  if (hasAttachments(facts.bodyStructure)) item.hasAttachments = true;
  return item;
}

/** Whether I am in To (addressed) or only in Cc, and addressed alone (no one else in To or Cc). */
function attentionFacts(mailbox: string, envelope: EnvelopeFacts, from: string, title: string, text: string, arrival: Arrival): NonNullable<ConnectorItem['attention']> {
  const me = arrival.me?.trim().toLowerCase();
  const addresses = (list: EnvelopeFacts['to']) => (list ?? []).map((a) => clean(a.address).toLowerCase()).filter((a) => a !== '');
  const to = addresses(envelope.to);
  const cc = addresses(envelope.cc);
  const inTo = me !== undefined && to.includes(me);
  return {
    fresh: arrival.fresh,
    fromMe: me !== undefined && from.toLowerCase() === me,
    mentionsMe: inTo,
    direct: inTo && to.length === 1 && cc.length === 0,
    ...(from ? { sender: from } : {}),
    conversationName: title,
    place: mailbox,
    mailbox,
    text: { title, categories: [], body: text.slice(0, SEARCH_TEXT_CHARS) },
  };
}

/**
 * The thread root: the first id in References, else In-Reply-To, else the message's own id, so a
 * root and all its replies share a key. Mail without any ids groups by normalised subject.
 */
export function conversationKey(references: string[], inReplyTo: string | undefined, messageId: string | undefined, subject: string): string {
  const root = references[0] ?? inReplyTo ?? messageId;
  if (root && normaliseId(root)) return `mail:${normaliseId(root)}`;
  return `mail-subject:${normaliseSubject(subject)}`;
}

function normaliseId(id: string): string {
  return id.trim().replace(/^<|>$/g, '').toLowerCase();
}

const REPLY_PREFIX = /^\s*(?:re|fwd?|aw|wg|sv|vs|antw|tr|r|rif)\s*(?:\[\d{1,4}\])?\s*:\s*/i;

export function normaliseSubject(subject: string): string {
  let s = subject;
  for (let i = 0; i < 10 && REPLY_PREFIX.test(s); i++) s = s.replace(REPLY_PREFIX, '');
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

function timestampOf(parsedDate: Date | undefined, envelopeDate: Date | string | undefined, internalDate: Date | string | undefined): number {
  for (const candidate of [parsedDate, envelopeDate, internalDate]) {
    if (candidate === undefined || candidate === '') continue;
    const time = new Date(candidate).getTime();
    if (Number.isFinite(time)) return time;
  }
  return Date.now();
}

/** Subjects and names may carry control characters or folding; the list shows one clean line. */
function clean(value: string | undefined): string {
  if (!value) return '';
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}
