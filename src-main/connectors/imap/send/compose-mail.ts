/**
 * A draft becomes a message once, with nodemailer's MailComposer (never MIME by hand): From the
 * account's address, the thread's In-Reply-To and References, the text as typed plus the quoted
 * original, an HTML alternative from the same markdown renderer chat uses, attachments, and a
 * Message-ID fixed here so every retry sends the very same message.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import type { ImapSettings } from '../../../../src-shared/domain.ts';
import { MAX_MAIL_ATTACHMENT_BYTES } from '../../../../src-shared/limits.ts';
import type { MailDraft } from '../../../../src-shared/mail.ts';
import { ConnectorError, type ComposedMail } from '../../connector.ts';
import { escapeHtml, markdownToHtml } from '../../markdown.ts';
import { fromAddressOf } from '../smtp-settings.ts';

/** What one message may carry in files: most servers refuse more. */
export const MAX_ATTACHMENT_BYTES = MAX_MAIL_ATTACHMENT_BYTES;
export const MAX_RECIPIENTS = 500;

export interface Recipients {
  to: string[];
  cc: string[];
  bcc: string[];
}

/** Addresses as typed ("Ann <ann@example.com>, bob@example.com"), each checked and each once. */
export function parseRecipients(draft: Pick<MailDraft, 'to' | 'cc' | 'bcc'>): Recipients {
  const seen = new Set<string>();
  const parse = (list: string[], field: 'to' | 'cc' | 'bcc') => {
    const out: string[] = [];
    for (const entry of list.flatMap((typed) => addressparser(typed, { flatten: true }))) {
      const address = (entry.address ?? '').trim();
      if (address === '' && (entry.name ?? '').trim() === '') continue;
      if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new ConnectorError('invalid-input', `"${entry.name || address}" is not a mail address; write it like ann@example.com.`, { cause: field });
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(entry.name ? `"${entry.name.replace(/(["\\])/g, '\\$1')}" <${address}>` : address);
    }
    return out;
  };
  return { to: parse(draft.to, 'to'), cc: parse(draft.cc, 'cc'), bcc: parse(draft.bcc, 'bcc') };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'groundswell.localhost';
}

/** A Message-ID of our own: random, on the sender's domain, so it is unique without asking anyone. */
export function newMessageId(from: string): string {
  return `<${randomUUID()}@${domainOf(from)}>`;
}

export interface ComposeInput {
  draft: MailDraft;
  settings: ImapSettings;
  /** The original as a whole message, for a forward as attachment. */
  attachedOriginal?: { raw: Uint8Array; subject: string };
  /** Given for a message composed again (a draft saved twice keeps its id). */
  messageId?: string;
  date?: Date;
  /** A draft for the Drafts mailbox: no recipient needed, Bcc kept. */
  asDraft?: boolean;
}

export async function composeMail(input: ComposeInput): Promise<ComposedMail> {
  const { draft, settings } = input;
  const from = fromAddressOf(settings);
  if (!from) throw new ConnectorError('invalid-input', 'This account has no From address: set "Your address" in the account settings (the user name is not a mail address).');
  if (!input.asDraft && !settings.smtp) throw new ConnectorError('invalid-input', 'This account has no outgoing (SMTP) server, so it cannot send. Add one in the account settings, then send again; the draft is kept.');
  const recipients = parseRecipients(draft);
  const all = [...recipients.to, ...recipients.cc, ...recipients.bcc];
  if (!input.asDraft && all.length === 0) throw new ConnectorError('invalid-input', 'Add at least one recipient.', { cause: 'to' });
  if (all.length > MAX_RECIPIENTS) throw new ConnectorError('invalid-input', `A message can go to at most ${MAX_RECIPIENTS} recipients.`, { cause: 'to' });
  const attachments = draft.attachments.map((a) => ({ filename: a.name, contentType: a.contentType || 'application/octet-stream', content: Buffer.from(a.data, 'base64') }));
  const total = attachments.reduce((sum, a) => sum + a.content.length, 0) + (input.attachedOriginal?.raw.length ?? 0);
  if (total > MAX_ATTACHMENT_BYTES) throw new ConnectorError('invalid-input', `The attachments come to ${(total / 1048576).toFixed(1)} MB; most servers take at most 25 MB. Leave some out or share them another way.`);
  if (input.attachedOriginal) {
    attachments.push({ filename: `${input.attachedOriginal.subject.replace(/[\\/:*?"<>|\r\n]+/g, ' ').trim() || 'message'}.eml`, contentType: 'message/rfc822', content: Buffer.from(input.attachedOriginal.raw) });
  }

  const written = draft.text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  const quote = draft.quote?.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  const text = quote ? (written === '' ? quote : `${written}\n\n${quote}`) : written;
  const markdown = written === '' ? undefined : markdownToHtml(written);
  // The HTML alternative only when it adds something: markdown that changed the text, or a quote to set apart.
  const html =
    markdown !== undefined || quote
      ? `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${markdown ?? (written === '' ? '' : `<p>${escapeHtml(written).replace(/\n/g, '<br>')}</p>`)}${
          quote ? `<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${escapeHtml(quote).replace(/\n/g, '<br>')}</blockquote>` : ''
        }</body></html>`
      : undefined;

  const messageId = input.messageId ?? newMessageId(from);
  const thread = draft.thread;
  const composer = new MailComposer({
    from: settings.fromName ? { name: settings.fromName, address: from } : from,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    subject: draft.subject.replace(/[\r\n]+/g, ' '),
    messageId,
    date: input.date ?? new Date(),
    ...(thread && (draft.mode === 'reply' || draft.mode === 'replyAll') ? { inReplyTo: thread.messageId, references: thread.references } : {}),
    text,
    ...(html !== undefined ? { html } : {}),
    attachments,
    headers: { 'User-Agent': 'Groundswell' },
    // Nothing in a draft may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const build = async (keepBcc: boolean) => {
    const node = composer.compile();
    node.keepBcc = keepBcc;
    return { raw: await node.build(), envelope: node.getEnvelope() };
  };
  const wire = await build(input.asDraft === true);
  const composed: ComposedMail = {
    messageId,
    raw: new Uint8Array(wire.raw),
    envelope: { from, to: (wire.envelope.to as string[]).map(String) },
  };
  if (!input.asDraft && recipients.bcc.length > 0) composed.sentCopy = new Uint8Array((await build(true)).raw);
  return composed;
}
