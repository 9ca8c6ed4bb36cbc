/**
 * Encrypted attachments (the spec's "Sending encrypted attachments", v2): the file on the media
 * repository is AES-256-CTR ciphertext; the event carries the key, the IV and a SHA-256 of the
 * ciphertext. The hash is checked before anything is decrypted, so a tampered file never reaches
 * the screen.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The `file` object of an encrypted m.image / m.file event. */
export interface EncryptedFile {
  url: string;
  key: { kty: string; alg: string; k: string; key_ops?: string[]; ext?: boolean };
  iv: string;
  hashes: Record<string, string>;
  v: string;
}

export class AttachmentError extends Error {}

/** The `file` object if the content carries a well-formed one (an mxc url, a key, an IV, a hash). */
export function encryptedFileOf(value: unknown): EncryptedFile | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const file = value as Partial<EncryptedFile>;
  const key = file.key;
  if (typeof file.url !== 'string' || !file.url.startsWith('mxc://')) return undefined;
  if (!key || typeof key.k !== 'string' || typeof file.iv !== 'string' || typeof file.hashes?.['sha256'] !== 'string') return undefined;
  return file as EncryptedFile;
}

function unpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

export function decryptAttachment(ciphertext: Uint8Array, file: EncryptedFile): Uint8Array {
  if (file.v !== 'v2') throw new AttachmentError(`This attachment uses an encryption version Groundswell does not know (${String(file.v).slice(0, 10)}).`);
  if (file.key.alg !== 'A256CTR' || file.key.kty !== 'oct') throw new AttachmentError('This attachment is encrypted with an unknown algorithm.');
  const key = Buffer.from(file.key.k, 'base64url');
  const iv = Buffer.from(file.iv, 'base64');
  if (key.byteLength !== 32 || iv.byteLength !== 16) throw new AttachmentError('This attachment’s key is malformed.');
  const actual = unpaddedBase64(createHash('sha256').update(ciphertext).digest());
  if (actual !== file.hashes['sha256']!.replace(/=+$/, '')) throw new AttachmentError('This attachment does not match its checksum: it was changed after it was sent.');
  const decipher = createDecipheriv('aes-256-ctr', key, iv);
  return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}

/** What a sending client does; used here by tests and anything that uploads into an encrypted room. */
export function encryptAttachment(plaintext: Uint8Array, url: string): { ciphertext: Uint8Array; file: EncryptedFile } {
  const key = randomBytes(32);
  // The spec's IV: 8 random bytes, then a zero counter, so the counter never wraps.
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  return {
    ciphertext,
    file: {
      url,
      key: { kty: 'oct', alg: 'A256CTR', k: key.toString('base64url'), key_ops: ['encrypt', 'decrypt'], ext: true },
      iv: unpaddedBase64(iv),
      hashes: { sha256: unpaddedBase64(createHash('sha256').update(ciphertext).digest()) },
      v: 'v2',
    },
  };
}

/** The image formats the reading pane shows, told apart by their first bytes. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 12));
  if (head.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
  if (head.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'))) return 'image/jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.subarray(4, 12).toString('latin1') === 'ftypavif') return 'image/avif';
  return undefined;
}
