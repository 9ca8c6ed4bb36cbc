/**
 * The CLI's reading commands: `show ID` (headers, text, attachment list), `attachments ID` and
 * `attachment save ID INDEX --out FILE`, on the same calls the reading pane uses. The attachment is
 * fetched from the server only for `save`, and an existing file is never overwritten.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallName, CallParams, HubCalls } from '../../src-shared/api.ts';
import type { ItemDetail, MailAttachment } from '../../src-shared/domain.ts';
import { itemJson } from './triage-commands.ts';

type Caller = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;
type Failure = (message: string) => Error;

export interface MailFlags {
  json?: boolean | undefined;
  out?: string | undefined;
}

export async function runMailCommand(call: Caller, command: string, args: string[], flags: MailFlags, print: (text: string) => void, usage: Failure, failure: Failure): Promise<number> {
  if (command === 'show') {
    const [id] = args;
    if (!id || args.length > 1) throw usage('show needs one item id (see `groundswell inbox`).');
    const detail = await call('item.get', { itemId: id });
    if (flags.json) print(JSON.stringify(showJson(detail), null, 2));
    else print(showText(detail));
    return 0;
  }
  if (command === 'attachments') {
    const [id] = args;
    if (!id || args.length > 1) throw usage('attachments needs one item id (see `groundswell inbox --source mail`).');
    const attachments = (await call('item.get', { itemId: id })).mail?.attachments ?? [];
    if (flags.json) print(JSON.stringify(attachments, null, 2));
    else if (attachments.length === 0) print('This item has no attachments.');
    else for (const a of attachments) print(attachmentLine(a));
    return 0;
  }
  // attachment save ID INDEX --out FILE
  const [sub, id, indexText] = args;
  if (sub !== 'save' || !id || !indexText || args.length > 3) throw usage('attachment takes: save ID INDEX --out FILE.');
  const index = Number(indexText);
  if (!Number.isSafeInteger(index) || index < 1) throw usage('INDEX is the attachment’s number from `groundswell attachments ID`, from 1.');
  if (!flags.out) throw usage('attachment save needs --out FILE (a file name, or a folder to save it in under its own name).');
  const file = await call('item.attachment', { itemId: id, index });
  const target = (await isDirectory(flags.out)) ? join(flags.out, file.name) : flags.out;
  const bytes = Buffer.from(file.base64, 'base64');
  // 'wx': a file already there is the user's, not ours to replace.
  const handle = await open(target, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw failure(`${target} already exists; nothing was written. Pick another --out, or remove that file first.`);
    throw failure(`Could not write ${target}: ${error.code === 'ENOENT' ? 'its folder does not exist' : error.message}.`);
  });
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
  if (flags.json) print(JSON.stringify({ file: target, name: file.name, contentType: file.contentType, size: bytes.length }, null, 2));
  else print(`Saved ${file.name} (${formatSize(bytes.length)}) to ${target}.`);
  return 0;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function showJson(detail: ItemDetail) {
  return {
    item: itemJson(detail.item),
    headers: detail.headers,
    text: detail.bodyText,
    attachments: detail.mail?.attachments ?? [],
    hasHtml: detail.mail?.html !== undefined,
    ...(detail.mail?.receiptRequested ? { receiptRequested: detail.mail.receiptRequested } : {}),
    ...(detail.bodyError ? { error: detail.bodyError } : {}),
  };
}

function showText(detail: ItemDetail): string {
  const lines: string[] = [];
  const headers = detail.headers.length > 0 ? detail.headers : [{ name: 'From', value: detail.item.sender }, { name: 'Subject', value: detail.item.title }];
  for (const h of headers) lines.push(`${h.name}: ${h.value}`);
  if (detail.mail?.receiptRequested) lines.push(`(The sender asked for a read receipt at ${detail.mail.receiptRequested}; none was sent.)`);
  lines.push('');
  if (detail.bodyError) lines.push(`[${detail.bodyError}]`, '');
  lines.push(detail.bodyText);
  const attachments = detail.mail?.attachments ?? [];
  if (attachments.length > 0) {
    lines.push('', `Attachments (${attachments.length}; save one with: groundswell attachment save ${detail.item.id} INDEX --out FILE):`);
    for (const a of attachments) lines.push(`  ${attachmentLine(a)}`);
  }
  return lines.join('\n');
}

function attachmentLine(a: MailAttachment): string {
  return `${a.index}  ${a.name}  ${a.contentType}  ${formatSize(a.size)}${a.risky ? '  (can run code: check it before opening)' : ''}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
