/**
 * Answering mail through the contract: the draft the composer edits, what sending it did, and the
 * outbox of messages that wait for their server. Every string is plain text; `text` is what the user
 * typed (markdown, which also becomes the HTML alternative), `quote` the original below it.
 */

/** What the composer was opened for. */
export type ComposeMode = 'new' | 'reply' | 'replyAll' | 'forward';
export const COMPOSE_MODES: readonly ComposeMode[] = ['new', 'reply', 'replyAll', 'forward'];

/** A file to send, carried in the call as base64. */
export interface MailAttachment {
  name: string;
  contentType: string;
  /** The file's bytes, base64. */
  data: string;
}

export interface MailDraft {
  /** Set once the draft is saved locally (`mail.saveDraft`); the same draft keeps it. */
  draftId?: string;
  accountId: string;
  mode: ComposeMode;
  /** Addresses, `ann@example.com` or `Ann <ann@example.com>`. */
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** What the user wrote: plain text, read as markdown for the HTML alternative. */
  text: string;
  /** The original, quoted below the text as plain text (a reply's "> " lines, a forward's header block). */
  quote?: string;
  /** The item answered (reply, reply all): In-Reply-To and References come from it, and it gets \Answered. */
  inReplyTo?: string;
  /** The item forwarded: it gets $Forwarded. */
  forward?: string;
  /** Forward: the original goes along as an attached message (message/rfc822) instead of quoted. */
  forwardAsAttachment?: boolean;
  attachments: MailAttachment[];
  /** The thread the answer belongs to, as `mail.prepare` read it from the original (kept so sending works offline). */
  thread?: { messageId: string; references: string[] };
  /** Why the last try to send it failed for good, in the server's words (the draft came back from the outbox). */
  problem?: string;
  /** When it was last saved (ms since the epoch). */
  savedAt?: number;
}

/**
 * What happened to a message handed to `mail.send`: `sent` (the server took it), `waiting` (kept in
 * the outbox, tried again when the server is back), `refused` (the server said no for good: `message`
 * has its words and the draft is kept), `unsure` (Groundswell stopped in the middle of handing it
 * over; it is neither resent nor dropped until the user says, see the README).
 */
export type SendState = 'sent' | 'waiting' | 'refused' | 'unsure';

export interface SendResult {
  outboxId: string;
  state: SendState;
  /** The Message-ID header it carries (also the one a retry sends again). */
  messageId: string;
  /** Why it waits or was refused, and what else happened ("the copy in Sent waits for the IMAP server"). */
  message?: string;
  /** Where the draft went back to when refused. */
  draftId?: string;
}

export interface OutboxMessage {
  id: string;
  accountId: string;
  subject: string;
  to: string[];
  state: 'waiting' | 'sending' | 'unsure' | 'filing';
  attempts: number;
  lastError?: string;
  createdAt: number;
  messageId: string;
}
