import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame, FRAME_HEADER_BYTES } from './frames.ts';

const payloads = [Buffer.from('first'), Buffer.alloc(1000, 7), Buffer.from([0, 1, 2, 3])];
const joined = Buffer.concat(payloads.map(encodeFrame));

describe('journal frames', () => {
  it('round-trips a run of frames', () => {
    const decoded = decodeFrames(joined);
    expect(decoded.payloads.map((p) => Buffer.from(p))).toEqual(payloads);
    expect(decoded.validBytes).toBe(joined.length);
  });

  it('drops a torn last frame whole, wherever the cut falls', () => {
    const lastStart = joined.length - (FRAME_HEADER_BYTES + payloads[2]!.length);
    for (let cut = lastStart; cut < joined.length; cut += 1) {
      const decoded = decodeFrames(joined.subarray(0, cut));
      expect(decoded.payloads).toHaveLength(2);
      expect(decoded.validBytes).toBe(lastStart);
    }
  });

  it('stops at a frame whose checksum does not match, and reads nothing after it', () => {
    const damaged = Buffer.from(joined);
    damaged[FRAME_HEADER_BYTES + payloads[0]!.length + FRAME_HEADER_BYTES + 10]! ^= 0xff;
    const decoded = decodeFrames(damaged);
    expect(decoded.payloads).toHaveLength(1);
    expect(decoded.validBytes).toBe(FRAME_HEADER_BYTES + payloads[0]!.length);
  });

  it('treats a zero-filled tail as the end, not as empty frames', () => {
    const decoded = decodeFrames(Buffer.concat([joined, Buffer.alloc(64)]));
    expect(decoded.payloads).toHaveLength(3);
    expect(decoded.validBytes).toBe(joined.length);
  });

  it('refuses an empty payload', () => {
    expect(() => encodeFrame(Buffer.alloc(0))).toThrow(RangeError);
  });
});
