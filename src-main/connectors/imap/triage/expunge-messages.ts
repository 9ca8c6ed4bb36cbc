/** Removes messages of the selected mailbox for good: \Deleted, then UID EXPUNGE of just those (after Thunderbird's CommandDelete). */
import type { ImapFlow } from 'imapflow';
import { uidSet } from '../mailbox-sync.ts';

export async function expungeMessages(client: ImapFlow, uids: number[]): Promise<void> {
  if (uids.length === 0) return;
  await client.messageDelete(uidSet(uids), { uid: true });
}
