/**
 * What the hub decides about a mail a connector loaded: the HTML made safe (mail-html.ts), remote
 * content let in only for this message on request or for a sender the user trusts, plain text as a
 * linked, quoted tree, attachments named safely and marked when they run code. The connector's raw
 * body is kept in memory for the last few messages, so Show images and an attachment's download do
 * not fetch the message again.
 */
import type { MailAttachment, MailBody } from '../../src-shared/domain.ts';
import type { ConnectorDetail, ConnectorMailSource } from '../connectors/connector.ts';
import { cleanFileName, runsCode } from './attachment-names.ts';
import { sanitizeMailHtml } from './mail-html.ts';
import type { SanitizedMail } from './mail-html.ts';
import { plainMailContent } from './plain-mail.ts';

interface Entry {
  source: ConnectorMailSource;
  bytes: number;
  sanitized: Map<boolean, SanitizedMail>;
}

/** Raw bodies kept for re-showing: a handful of ordinary mails, or one or two huge ones. */
const CACHE_BYTES = 48 * 1024 * 1024;

/** A mail's attachments as the window and the CLI list them: numbered from 1, names cleaned, code marked. */
export function listAttachments(source: ConnectorMailSource): MailAttachment[] {
  return source.attachments.map((a, i) => {
    const name = cleanFileName(a.name);
    return { index: i + 1, name, contentType: a.contentType, size: a.size, risky: runsCode(name, a.contentType) };
  });
}

export class MailReading {
  readonly #recent = new Map<string, Entry>();
  #bytes = 0;

  /** The raw body last loaded for this item, if it is still held. */
  source(itemId: string): ConnectorMailSource | undefined {
    const entry = this.#recent.get(itemId);
    if (!entry) return undefined;
    this.#recent.delete(itemId);
    this.#recent.set(itemId, entry);
    return entry.source;
  }

  remember(itemId: string, source: ConnectorMailSource): void {
    this.forget(itemId);
    const bytes = (source.html?.length ?? 0) * 2 + Object.values(source.inlineImages).reduce((n, url) => n + url.length * 2, 0);
    this.#recent.set(itemId, { source, bytes, sanitized: new Map() });
    this.#bytes += bytes;
    for (const [id, entry] of this.#recent) {
      if (this.#bytes <= CACHE_BYTES || id === itemId) break;
      this.#recent.delete(id);
      this.#bytes -= entry.bytes;
    }
  }

  forget(itemId: string): void {
    const entry = this.#recent.get(itemId);
    if (!entry) return;
    this.#recent.delete(itemId);
    this.#bytes -= entry.bytes;
  }

  /** The reading pane's mail fields for a loaded body, with remote content as the user chose. */
  view(itemId: string, detail: Omit<ConnectorDetail, 'mailSource'>, source: ConnectorMailSource, remote: { thisMessage: boolean; trustedSenders: readonly string[] }) {
    const sender = source.senderAddress?.trim().toLowerCase();
    const trusted = sender !== undefined && remote.trustedSenders.includes(sender);
    const allowRemote = remote.thisMessage || trusted;
    const mail: MailBody = { remoteBlocked: 0, attachments: listAttachments(source) };
    if (source.senderAddress) mail.senderAddress = source.senderAddress;
    if (source.receiptRequested) mail.receiptRequested = source.receiptRequested;
    if (source.html !== undefined) {
      const sanitized = this.#sanitized(itemId, source, allowRemote);
      mail.html = sanitized.html;
      mail.remoteBlocked = sanitized.remoteBlocked;
      if (allowRemote && sanitized.remoteAllowed > 0) mail.remoteShown = trusted ? 'sender' : 'message';
      return { ...detail, mail };
    }
    return { ...detail, content: plainMailContent(detail.bodyText), mail };
  }

  #sanitized(itemId: string, source: ConnectorMailSource, allowRemote: boolean): SanitizedMail {
    const entry = this.#recent.get(itemId);
    const cached = entry?.source === source ? entry.sanitized.get(allowRemote) : undefined;
    if (cached) return cached;
    const result = sanitizeMailHtml(source.html ?? '', { inlineImages: new Map(Object.entries(source.inlineImages)), allowRemote });
    if (entry?.source === source) entry.sanitized.set(allowRemote, result);
    return result;
  }
}
