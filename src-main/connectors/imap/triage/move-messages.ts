/**
 * Moves messages of the selected mailbox to another (after Thunderbird's CommandMoveOrCopyMessages):
 * UID MOVE, or COPY + \Deleted + EXPUNGE where the server has no MOVE (imapflow chooses). The
 * server's COPYUID (UIDPLUS) names each message's new UID; one it does not name is found again by
 * its Message-ID in the target, so the item keeps its id either way.
 */
import type { ImapFlow } from 'imapflow';
import { uidSet } from '../mailbox-sync.ts';

export interface MovedMessage {
  uid: number;
  newUid: number;
  uidValidity: number;
}

/** Moves `uids` out of the selected mailbox to `target`; returns what COPYUID told us. */
export async function moveMessages(client: ImapFlow, uids: number[], target: string): Promise<{ moved: MovedMessage[]; targetUidValidity: number | undefined }> {
  if (uids.length === 0) return { moved: [], targetUidValidity: undefined };
  const result = await client.messageMove(uidSet(uids), target, { uid: true });
  if (!result) return { moved: [], targetUidValidity: undefined };
  const uidValidity = result.uidValidity === undefined ? undefined : Number(result.uidValidity);
  const moved: MovedMessage[] = [];
  if (uidValidity !== undefined) for (const [uid, newUid] of result.uidMap ?? []) moved.push({ uid, newUid, uidValidity });
  return { moved, targetUidValidity: uidValidity };
}

/** The UID of the message with this Message-ID in the selected mailbox, newest if several. */
export async function findByMessageId(client: ImapFlow, messageId: string): Promise<number | undefined> {
  const found = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
  return found.length === 0 ? undefined : Math.max(...found);
}
