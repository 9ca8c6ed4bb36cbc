/**
 * Whether a message carries files, read from the server's BODYSTRUCTURE (no body download): a part
 * marked as an attachment, or any non-text part that names a file. Inline images of an HTML mail
 * without a file name (signatures, logos) are not counted, nor the text and HTML of the body itself.
 */
export interface StructurePart {
  type: string;
  parameters?: Record<string, string> | undefined;
  disposition?: string | undefined;
  dispositionParameters?: Record<string, string> | undefined;
  childNodes?: StructurePart[] | undefined;
}

/** Deeper than any real message nests; a hostile server's structure stops here. */
const MAX_DEPTH = 32;

export function hasAttachments(part: StructurePart | undefined, depth = 0): boolean {
  if (part === undefined || depth > MAX_DEPTH) return false;
  const type = part.type.toLowerCase();
  if (type.startsWith('multipart/')) return (part.childNodes ?? []).some((child) => hasAttachments(child, depth + 1));
  const disposition = part.disposition?.toLowerCase();
  if (disposition === 'attachment') return true;
  const named = Boolean(part.dispositionParameters?.['filename'] ?? part.parameters?.['name']);
  // A forwarded message is a file in its own right.
  if (type === 'message/rfc822') return true;
  return named && !type.startsWith('text/');
}
