/** A draft as it arrives through the contract (untrusted): every field checked and named when wrong. */
import { MAX_MAIL_ATTACHMENT_CHARS, MAX_MAIL_TEXT_CHARS } from '../../src-shared/limits.ts';
import { COMPOSE_MODES, type ComposeMode, type MailAttachment, type MailDraft } from '../../src-shared/mail.ts';
import { choice, InputError, record, text } from '../common/input.ts';

const MAX_TEXT = MAX_MAIL_TEXT_CHARS;
const MAX_ATTACHMENTS = 100;
const MAX_ATTACHMENT_CHARS = MAX_MAIL_ATTACHMENT_CHARS;

function addressList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new InputError(`${field} must be a list of addresses.`, field);
  const list = (value as string[]).map((v) => v.trim()).filter((v) => v !== '');
  if (list.some((v) => v.length > 2000) || list.length > 500) throw new InputError(`${field} is too long.`, field);
  return list;
}

function attachments(value: unknown): MailAttachment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_ATTACHMENTS) throw new InputError(`Attachments must be a list of at most ${MAX_ATTACHMENTS} files.`, 'attachments');
  let chars = 0;
  return value.map((raw) => {
    const a = record(raw, 'an attachment');
    const data = text(a['data'], 'attachments', 'An attachment', { max: MAX_ATTACHMENT_CHARS, optional: true });
    if (!/^[A-Za-z0-9+/=\s]*$/.test(data)) throw new InputError('An attachment is not base64.', 'attachments');
    chars += data.length;
    if (chars > MAX_ATTACHMENT_CHARS) throw new InputError('The attachments come to more than 25 MB; most servers take at most that. Leave some out.', 'attachments');
    return {
      name: text(a['name'], 'attachments', 'An attachment name', { max: 255 }).replace(/[\r\n\\/]+/g, ' '),
      contentType: text(a['contentType'], 'attachments', 'An attachment type', { max: 255, optional: true }) || 'application/octet-stream',
      data,
    };
  });
}

function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(value, field, field, { max: 1000 });
}

export function parseDraft(raw: unknown): MailDraft {
  const d = record(record(raw, 'the request')['draft'], 'the draft');
  const draft: MailDraft = {
    accountId: text(d['accountId'], 'accountId', 'Account', { max: 400 }),
    mode: choice<ComposeMode>(d['mode'] ?? 'new', 'mode', COMPOSE_MODES, 'The mode must be new, reply, replyAll or forward.'),
    to: addressList(d['to'], 'to'),
    cc: addressList(d['cc'], 'cc'),
    bcc: addressList(d['bcc'], 'bcc'),
    subject: text(d['subject'], 'subject', 'Subject', { max: 2000, optional: true }),
    text: text(d['text'], 'text', 'The text', { max: MAX_TEXT, optional: true }),
    attachments: attachments(d['attachments']),
  };
  const quote = text(d['quote'], 'quote', 'The quoted text', { max: MAX_TEXT, optional: true });
  if (quote !== '') draft.quote = quote;
  const draftId = optionalId(d['draftId'], 'draftId');
  if (draftId) draft.draftId = draftId;
  const inReplyTo = optionalId(d['inReplyTo'], 'inReplyTo');
  if (inReplyTo) draft.inReplyTo = inReplyTo;
  const forward = optionalId(d['forward'], 'forward');
  if (forward) draft.forward = forward;
  if (d['forwardAsAttachment'] === true) draft.forwardAsAttachment = true;
  if (d['thread'] !== undefined) {
    const t = record(d['thread'], 'the thread');
    const references = Array.isArray(t['references']) ? t['references'].filter((r): r is string => typeof r === 'string' && /^<[^<>\s]{1,998}>$/.test(r)).slice(-50) : [];
    const messageId = typeof t['messageId'] === 'string' && /^<[^<>\s]{1,998}>$/.test(t['messageId']) ? t['messageId'] : undefined;
    if (messageId) draft.thread = { messageId, references };
  }
  return draft;
}
