/**
 * mailparser behind a fence. Input is always capped by the caller (a partial FETCH), the parser's
 * own limits are set, and a parse that throws or takes too long yields `undefined`: the caller then
 * falls back to the server's ENVELOPE, so one broken message never stops a sync.
 */
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { collapseWhitespace, htmlToText } from './html-text.ts';

export interface ParsedAddress {
  name: string;
  address: string;
}

export interface ParsedMessage {
  subject?: string;
  from?: ParsedAddress;
  /** Display form of the address headers, for the reading pane. */
  fromText?: string;
  toText?: string;
  ccText?: string;
  date?: Date;
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  /** Plain text of the body; HTML-only mail reduced to text. */
  text: string;
}

export interface ParseLimits {
  timeoutMs: number;
  /** HTML beyond this many characters is not reduced to text. */
  maxHtmlChars: number;
}

export const SNIPPET_LIMITS: ParseLimits = { timeoutMs: 2_000, maxHtmlChars: 256 * 1024 };
export const DETAIL_LIMITS: ParseLimits = { timeoutMs: 10_000, maxHtmlChars: 4 * 1024 * 1024 };

export async function parseMessage(source: Buffer, limits: ParseLimits): Promise<ParsedMessage | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), limits.timeoutMs);
  });
  try {
    const parsed = await Promise.race([
      simpleParser(source, {
        // Our own reduction is linear and bounded; mailparser's html-to-text is neither needed nor cheap.
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipImageLinks: true,
        skipTextLinks: true,
        maxHtmlLengthToParse: limits.maxHtmlChars,
        maxChildNodes: 200,
        checksumAlgo: false,
      }),
      timeout,
    ]);
    return parsed ? reduce(parsed, limits) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function reduce(mail: ParsedMail, limits: ParseLimits): ParsedMessage {
  const first = mail.from?.value[0];
  const plain = typeof mail.text === 'string' ? mail.text : '';
  let text = collapseWhitespace(plain);
  if (text === '' && typeof mail.html === 'string') text = htmlToText(mail.html.slice(0, limits.maxHtmlChars));
  const references = mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references];
  const result: ParsedMessage = { references: references.flatMap(splitIds), text };
  if (mail.subject !== undefined) result.subject = mail.subject;
  if (first) result.from = { name: first.name ?? '', address: first.address ?? '' };
  const fromText = addressText(mail.from);
  if (fromText) result.fromText = fromText;
  const toText = addressText(mail.to);
  if (toText) result.toText = toText;
  const ccText = addressText(mail.cc);
  if (ccText) result.ccText = ccText;
  if (mail.date instanceof Date && !Number.isNaN(mail.date.getTime())) result.date = mail.date;
  if (mail.messageId) result.messageId = mail.messageId;
  if (mail.inReplyTo) result.inReplyTo = splitIds(mail.inReplyTo)[0] ?? mail.inReplyTo;
  return result;
}

/** "Name <address>" without the quoting mailparser's `text` adds; groups are flattened. */
function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  const out: string[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.name && entry.address) out.push(`${entry.name} <${entry.address}>`);
      else if (entry.name || entry.address) out.push(entry.name || entry.address || '');
    }
  };
  for (const object of Array.isArray(value) ? value : [value]) visit(object.value);
  return out.join(', ');
}

/** A References header may arrive as one string holding several ids. */
function splitIds(value: string): string[] {
  return value.match(/<[^<>\s]{1,998}>/g) ?? (value.trim() ? [value.trim()] : []);
}
