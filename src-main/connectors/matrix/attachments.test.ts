import { describe, expect, it } from 'vitest';
import { decryptAttachment, encryptAttachment, encryptedFileOf, sniffImageType } from './attachments.ts';

const image = new Uint8Array(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));

describe('encrypted attachments', () => {
  it('decrypts what a sender encrypted', () => {
    const { ciphertext, file } = encryptAttachment(image, 'mxc://hs/abc');
    expect(Buffer.from(ciphertext).equals(Buffer.from(image))).toBe(false);
    expect(decryptAttachment(ciphertext, file)).toEqual(image);
  });

  it('refuses a file changed after sending, before decrypting it', () => {
    const { ciphertext, file } = encryptAttachment(image, 'mxc://hs/abc');
    ciphertext[3] = ciphertext[3]! ^ 0xff;
    expect(() => decryptAttachment(ciphertext, file)).toThrow(/checksum/);
  });

  it('refuses unknown versions and malformed keys', () => {
    const { ciphertext, file } = encryptAttachment(image, 'mxc://hs/abc');
    expect(() => decryptAttachment(ciphertext, { ...file, v: 'v1' })).toThrow(/version/);
    expect(() => decryptAttachment(ciphertext, { ...file, key: { ...file.key, k: 'c2hvcnQ' } })).toThrow(/malformed/);
  });

  it('reads only a well-formed file object from event content', () => {
    const { file } = encryptAttachment(image, 'mxc://hs/abc');
    expect(encryptedFileOf(file)).toEqual(file);
    expect(encryptedFileOf({ ...file, url: 'https://evil.example/x' })).toBeUndefined();
    expect(encryptedFileOf({ url: 'mxc://hs/abc' })).toBeUndefined();
    expect(encryptedFileOf('nope')).toBeUndefined();
  });

  it('tells image formats apart by their bytes, since the server only saw ciphertext', () => {
    expect(sniffImageType(image)).toBe('image/png');
    expect(sniffImageType(Buffer.from('ffd8ffe000104a46', 'hex'))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('GIF89a......', 'latin1'))).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('\x00\x00\x00\x1cftypavif', 'latin1'))).toBe('image/avif');
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">', 'latin1'))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });
});
