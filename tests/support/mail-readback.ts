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
