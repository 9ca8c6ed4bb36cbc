/** Sets or clears one flag on messages of the selected mailbox, in batches (after Thunderbird's CommandSetFlag). */
import type { ImapFlow } from 'imapflow';
import { uidSet } from '../mailbox-sync.ts';

/** UIDs per STORE: keeps each command line short even when the UIDs are scattered. */
export const STORE_BATCH = 1_000;

export async function setFlag(client: ImapFlow, uids: number[], flag: string, on: boolean): Promise<void> {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += STORE_BATCH) {
    const range = uidSet(sorted.slice(i, i + STORE_BATCH));
    if (on) await client.messageFlagsAdd(range, [flag], { uid: true, silent: true });
    else await client.messageFlagsRemove(range, [flag], { uid: true, silent: true });
  }
}
