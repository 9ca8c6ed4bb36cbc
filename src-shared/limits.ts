/**
 * Sizes the contract and its transports agree on. A call whose input the hub accepts must also fit
 * the transport that carries it, so the transport's limit is derived from the largest input here.
 */

/** The longest OPML file feeds.importOpml takes, in characters: the largest input of any call. */
export const MAX_OPML_CHARS = 5 * 1024 * 1024;

/**
 * The largest frame the local API reads. JSON writes one character in at most 6 bytes (`\uXXXX`), so
 * the largest input fits whatever it contains, with room for the call's envelope and other fields.
 */
export const MAX_FRAME_BYTES = MAX_OPML_CHARS * 6 + 64 * 1024;

/** The largest attachment `item.attachment` hands over: as base64 it still fits one frame. */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
