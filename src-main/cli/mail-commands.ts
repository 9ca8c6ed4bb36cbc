/**
 * `reply` (of a mail item), `forward` and `compose`: the same calls the composer makes — mail.prepare
 * for the recipients, subject, quote and thread, then mail.send — with the text from standard input.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CallName, CallParams, HubCalls } from '../../src-shared/api.ts';
import type { MailAttachment, MailDraft, SendResult } from '../../src-shared/mail.ts';

type Call = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;

/** An error worded for the user, with its exit code. */
export class MailCommandFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `--to a@x,b@y --to c@z`: every address, in order. */
export function addressesOf(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

const TYPES: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  zip: 'application/zip', doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', html: 'text/html', json: 'application/json', eml: 'message/rfc822',
};

export async function readAttachments(files: string[] | undefined): Promise<MailAttachment[]> {
  const attachments: MailAttachment[] = [];
  for (const file of files ?? []) {
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new MailCommandFailure(`Could not read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}. Nothing was sent.`, 1);
    });
    const extension = basename(file).split('.').pop()?.toLowerCase() ?? '';
    attachments.push({ name: basename(file), contentType: TYPES[extension] ?? 'application/octet-stream', data: bytes.toString('base64') });
  }
  return attachments;
}

/** Sends and says what became of it: 0 sent or waiting in the outbox, 1 refused (the draft kept), 2 unsure. */
export async function sendDraft(call: Call, draft: MailDraft, print: (text: string) => void, json: boolean): Promise<number> {
  const result: SendResult = await call('mail.send', { draft });
  if (json) {
    print(JSON.stringify(result, null, 2));
    return result.state === 'refused' ? 1 : result.state === 'unsure' ? 2 : 0;
  }
  switch (result.state) {
    case 'sent':
      print(`Sent ${result.messageId}.${result.message ? ` ${result.message}` : ''}`);
      return 0;
    case 'waiting':
      print(
        `Waiting to send: ${result.message ?? 'the outgoing server could not be reached.'} It is kept in the outbox and goes when the server answers ` +
          '(the app, `groundswell serve`, or `groundswell sync --once`), never twice.',
      );
      return 0;
    case 'refused':
      throw new MailCommandFailure(`${result.message ?? 'The server refused the message.'} Nothing was sent; the draft is kept.`, 1);
    case 'unsure':
      throw new MailCommandFailure(`${result.message ?? 'It is not known whether the message went out.'} It stays in the outbox until you decide.`, 2);
    default:
      throw new MailCommandFailure(`Unexpected send state ${JSON.stringify(result.state satisfies never)}.`, 1);
  }
}

export async function replyByMail(call: Call, itemId: string, all: boolean, text: string, print: (text: string) => void, json: boolean): Promise<number> {
  const draft = await call('mail.prepare', { mode: all ? 'replyAll' : 'reply', itemId });
  return sendDraft(call, { ...draft, text }, print, json);
}

export async function forwardByMail(call: Call, itemId: string, to: string[], text: string, attach: MailAttachment[], print: (text: string) => void, json: boolean): Promise<number> {
  const draft = await call('mail.prepare', { mode: 'forward', itemId });
  return sendDraft(call, { ...draft, to, text, attachments: attach }, print, json);
}

export async function composeNew(
  call: Call,
  input: { accountId: string; to: string[]; subject: string; text: string; attachments: MailAttachment[] },
  print: (text: string) => void,
  json: boolean,
): Promise<number> {
  const draft = await call('mail.prepare', { mode: 'new', accountId: input.accountId });
  return sendDraft(call, { ...draft, to: input.to, subject: input.subject, text: input.text, attachments: input.attachments }, print, json);
}
