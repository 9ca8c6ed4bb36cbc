/**
 * The on-disk unit of the crypto store: `[length u32 LE][crc32 u32 LE][payload]`. A frame is written
 * whole or not at all as far as a reader is concerned: a short or mismatching frame is where a crash
 * cut the file, and everything from there on is ignored.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;
const MAX_PAYLOAD_BYTES = 0xffff_ffff;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`A frame holds 1 to ${MAX_PAYLOAD_BYTES} bytes, not ${payload.length}.`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedFrames {
  payloads: Buffer[];
  /** Bytes of the input covered by whole, checked frames: where a torn tail starts. */
  validBytes: number;
}

/**
 * Frames from the start of `bytes` up to the first one that does not check out. A zero length counts
 * as broken: some file systems leave a crashed file's new tail as zeros, and crc32 of nothing is 0.
 */
export function decodeFrames(bytes: Buffer): DecodedFrames {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (bytes.length - offset >= FRAME_HEADER_BYTES) {
    const length = bytes.readUInt32LE(offset);
    const checksum = bytes.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (length === 0 || end > bytes.length) break;
    // A view, not a copy: replay deserialises each payload once and drops it.
    const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    payloads.push(payload);
    offset = end;
  }
  return { payloads, validBytes: offset };
}
