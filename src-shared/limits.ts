/**
 * Sizes the contract and its transports agree on. A call whose input the hub accepts must also fit
 * the transport that carries it, so the transport's limit is derived from the largest input here.
 */

/** The longest OPML file feeds.importOpml takes, in characters: the largest input of any call. */
export const MAX_OPML_CHARS = 5 * 1024 * 1024;

/** What one mail message may carry in files (most servers refuse more), and in text and in its quote, each. */
export const MAX_MAIL_ATTACHMENT_BYTES = 25 * 1024 * 1024;
export const MAX_MAIL_TEXT_CHARS = 1_000_000;
/** The attachments as mail.send carries them: base64, four characters for every three bytes. */
export const MAX_MAIL_ATTACHMENT_CHARS = Math.ceil(MAX_MAIL_ATTACHMENT_BYTES / 3) * 4 + 100 * 4;

/**
 * The largest frame the local API reads. JSON writes one character in at most 6 bytes (`\uXXXX`), so
 * the largest input fits whatever it contains, with room for the call's envelope and other fields:
 * an OPML file, or a mail draft with its attachments (base64 needs no escaping) and its text and quote.
 */
export const MAX_FRAME_BYTES = Math.max(MAX_OPML_CHARS * 6, MAX_MAIL_ATTACHMENT_CHARS + 2 * MAX_MAIL_TEXT_CHARS * 6) + 64 * 1024;

/** The largest attachment `item.attachment` hands over: as base64 it still fits one frame. */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
