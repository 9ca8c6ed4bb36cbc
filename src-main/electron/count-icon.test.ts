import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { badgeLayout, drawAppMark, encodePng, overlayIconPixels, textWidth, trayIconPixels, type Pixels } from './count-icon.ts';

const pixel = (p: Pixels, x: number, y: number): number[] => [...p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4)];
const isWhite = (rgba: number[]): boolean => rgba[0]! > 240 && rgba[1]! > 240 && rgba[2]! > 240 && rgba[3]! > 240;
const isRed = (rgba: number[]): boolean => rgba[0]! > 180 && rgba[1]! < 80 && rgba[2]! < 80 && rgba[3]! > 240;

/** Reads back our own PNG: header fields and the unfiltered rows. */
function decode(png: Buffer): Pixels {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  expect([png[24], png[25]]).toEqual([8, 6]);
  const idatAt = png.indexOf('IDAT');
  const length = png.readUInt32BE(idatAt - 4);
  const rows = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + length));
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(rows.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, data };
}

describe('the count drawn on the tray icon', () => {
  it('draws nothing over the mark when nothing is unread', () => {
    expect(trayIconPixels('', 32).data).toEqual(drawAppMark(32).data);
  });

  it('draws the digits in white on a red pill in the bottom-right corner', () => {
    const icon = trayIconPixels('12', 32);
    const box = badgeLayout(32, '12');
    expect(box.x1).toBe(32);
    expect(box.y1).toBe(32);
    // The pill's left end, beside the digits, is red; the first digit "1"'s stem (glyph column 1) is white.
    const midY = Math.round((box.y0 + box.y1) / 2);
    expect(isRed(pixel(icon, Math.round(box.x0 + box.scale * 1.5), midY))).toBe(true);
    const textX = Math.round(box.x0 + (box.x1 - box.x0 - textWidth('12', box.scale)) / 2);
    expect(isWhite(pixel(icon, textX + box.scale, midY))).toBe(true);
    // The top-left of the icon stays the blue mark.
    const corner = pixel(icon, 10, 6);
    expect(corner[2]!).toBeGreaterThan(corner[0]!);
  });

  it('draws each count differently, and fits 99+ inside the icon', () => {
    const drawn = ['1', '7', '12', '99', '99+'].map((t) => Buffer.from(trayIconPixels(t).data).toString('base64'));
    expect(new Set(drawn).size).toBe(5);
    const box = badgeLayout(32, '99+');
    expect(box.x0).toBeGreaterThanOrEqual(0);
    expect(textWidth('99+', box.scale)).toBeLessThanOrEqual(32);
  });

  it('draws the Windows overlay as the count alone, transparent when there is none', () => {
    expect(overlayIconPixels('', 16).data.every((b) => b === 0)).toBe(true);
    const overlay = overlayIconPixels('5', 16);
    expect(isRed(pixel(overlay, 8, 2))).toBe(true);
    expect(pixel(overlay, 0, 0)[3]!).toBeLessThan(128);
  });

  it('encodes the pixels as a PNG that reads back the same', () => {
    const icon = trayIconPixels('3', 32);
    const back = decode(encodePng(icon));
    expect(back.width).toBe(32);
    expect(back.height).toBe(32);
    expect(back.data).toEqual(icon.data);
  });
});
