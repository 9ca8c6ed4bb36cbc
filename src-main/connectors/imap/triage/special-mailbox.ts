/**
 * Where done, deleted and spam mail goes: the mailbox the server marks with the special-use
 * attribute (RFC 6154), else one named like it, else one we create once and say so (after
 * Thunderbird's ArchiveFolderResolver and ArchiveFolderCreator).
 */
import type { ImapFlow } from 'imapflow';

export type SpecialUse = '\\Archive' | '\\Trash' | '\\Junk' | '\\Sent' | '\\Drafts';

const CREATED_NAME: Record<SpecialUse, string> = { '\\Archive': 'Archive', '\\Trash': 'Trash', '\\Junk': 'Junk', '\\Sent': 'Sent', '\\Drafts': 'Drafts' };
const PURPOSE: Record<SpecialUse, string> = { '\\Archive': 'done mail', '\\Trash': 'deleted mail', '\\Junk': 'spam', '\\Sent': 'sent mail', '\\Drafts': 'drafts' };

export interface SpecialMailbox {
  path: string;
  /** Said once, when the mailbox had to be created. */
  notice?: string;
}

export async function findSpecialMailbox(client: ImapFlow, use: SpecialUse, host: string): Promise<SpecialMailbox> {
  const boxes = await client.list();
  // The server's own attribute first; imapflow also guesses from well-known names when it has none.
  const found = boxes.find((b) => b.specialUse === use && b.specialUseSource === 'extension') ?? boxes.find((b) => b.specialUse === use);
  if (found) return { path: found.path };
  const name = CREATED_NAME[use];
  const existing = boxes.find((b) => b.path.toLowerCase() === name.toLowerCase());
  if (existing) return { path: existing.path };
  const created = await client.mailboxCreate(name);
  return { path: created.path, notice: `${host} has no mailbox for ${PURPOSE[use]}, so Groundswell created "${created.path}" there.` };
}
