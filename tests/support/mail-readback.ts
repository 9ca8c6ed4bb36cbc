/** Where a message is on the IMAP server and with which flags, read with a plain imapflow client by its Message-ID. */
import { withClient, type MailServer, type MailUser } from './mail-fixtures.ts';

export function mailboxHas(server: MailServer, user: MailUser, mailbox: string, messageId: string): Promise<boolean> {
  return withClient(server, user, async (client) => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      return Array.isArray(uids) && uids.length > 0;
    } finally {
      lock.release();
    }
  });
}

/** The message's flags in a mailbox, or null when it is not there. */
export function flagsOf(server: MailServer, user: MailUser, mailbox: string, messageId: string): Promise<string[] | null> {
  return withClient(server, user, async (client) => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      if (!Array.isArray(uids) || uids.length === 0) return null;
      const message = await client.fetchOne(String(uids[0]), { flags: true }, { uid: true });
      return message ? [...(message.flags ?? [])] : null;
    } finally {
      lock.release();
    }
  });
}

/** A delivered message as its recipient reads it: the headers an answer is judged by, its flags and its text. */
export interface ReadMessage {
  uid: number;
  messageId: string;
  subject: string;
  from: string[];
  to: string[];
  cc: string[];
  inReplyTo: string;
  references: string;
  flags: string[];
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number }[];
  raw: Buffer;
}

/** Every message of a mailbox, parsed with mailparser (the way another client would show it). */
export function readMailbox(server: MailServer, user: MailUser, mailbox: string): Promise<ReadMessage[]> {
  return withClient(server, user, async (client) => {
    const box = await client.mailboxOpen(mailbox, { readOnly: true });
    const found: ReadMessage[] = [];
    if (box.exists === 0) return found;
    const { simpleParser } = await import('mailparser');
    for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) {
      const raw = message.source ?? Buffer.alloc(0);
      const parsed = await simpleParser(raw);
      const addresses = (value: typeof parsed.to) => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((a) => a.value.map((v) => v.address ?? '')));
      found.push({
        uid: message.uid,
        messageId: parsed.messageId ?? '',
        subject: parsed.subject ?? '',
        from: addresses(parsed.from),
        to: addresses(parsed.to),
        cc: addresses(parsed.cc),
        inReplyTo: parsed.inReplyTo ?? '',
        references: Array.isArray(parsed.references) ? parsed.references.join(' ') : (parsed.references ?? ''),
        flags: [...(message.flags ?? [])],
        text: parsed.text ?? '',
        html: typeof parsed.html === 'string' ? parsed.html : '',
        attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, size: a.size })),
        raw,
      });
    }
    return found;
  });
}

/** Waits until a message with this Message-ID is in the mailbox (Postfix delivers on its own time); returns every copy. */
export async function waitForDelivery(server: MailServer, user: MailUser, mailbox: string, messageId: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const copies = (await readMailbox(server, user, mailbox)).filter((m) => m.messageId === messageId);
    if (copies.length > 0) return copies;
    if (Date.now() > deadline) throw new Error(`${messageId} never reached ${user.user}'s ${mailbox}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
