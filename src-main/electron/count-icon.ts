/**
 * The tray icon with the unread count drawn on it, and the Windows taskbar overlay: plain RGBA
 * pixels drawn here (a tiny bitmap font, shapes with 4×4 supersampled edges) and encoded as PNG,
 * which `nativeImage.createFromBuffer` reads the same on every platform (a raw bitmap's byte order
 * is the platform's).
 */
import { deflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  data: Uint8Array;
}

type Rgb = readonly [number, number, number];

const BLUE_TOP: Rgb = [0x3b, 0x5b, 0xdb];
const BLUE_BOTTOM: Rgb = [0x1c, 0x2f, 0x8f];
const WAVES: readonly Rgb[] = [[0xff, 0xff, 0xff], [0xd0, 0xeb, 0xff], [0xa5, 0xd8, 0xff]];
const YELLOW: Rgb = [0xff, 0xd4, 0x3b];
/** The count's pill: a red that keeps 4.5:1 against its white digits. */
const BADGE_RED: Rgb = [0xc9, 0x2a, 0x2a];
const WHITE: Rgb = [0xff, 0xff, 0xff];

/** Digits and "+", 3×5, one string a row. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};
export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

export function blank(width: number, height: number): Pixels {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** Paints `color` over pixel (x, y) with `alpha` (0..1), source-over. */
function blend(p: Pixels, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= p.width || y >= p.height || alpha <= 0) return;
  const i = (y * p.width + x) * 4;
  const a = Math.min(1, alpha);
  const da = p.data[i + 3]! / 255;
  const oa = a + da * (1 - a);
  for (let c = 0; c < 3; c++) {
    const value = oa === 0 ? 0 : (color[c]! * a + p.data[i + c]! * da * (1 - a)) / oa;
    p.data[i + c] = Math.round(value);
  }
  p.data[i + 3] = Math.round(oa * 255);
}

/** Fills the shape `inside` (in pixel coordinates, continuous) with edges smoothed by supersampling. */
function fillShape(p: Pixels, inside: (x: number, y: number) => boolean, color: (y: number) => Rgb, box = { x0: 0, y0: 0, x1: p.width, y1: p.height }): void {
  const n = 4;
  for (let y = Math.max(0, Math.floor(box.y0)); y < Math.min(p.height, Math.ceil(box.y1)); y++) {
    for (let x = Math.max(0, Math.floor(box.x0)); x < Math.min(p.width, Math.ceil(box.x1)); x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) for (let sx = 0; sx < n; sx++) if (inside(x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
      if (hits > 0) blend(p, x, y, color(y), hits / (n * n));
    }
  }
}

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): (x: number, y: number) => boolean {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * t)) as unknown as Rgb;

/** The app's mark (assets/icon.svg) redrawn at `size`: a blue tile, three swells, the yellow inbox bar. */
export function drawAppMark(size: number): Pixels {
  const p = blank(size, size);
  const s = size / 1024;
  fillShape(p, roundedRect(64 * s, 64 * s, 960 * s, 960 * s, 200 * s), (y) => mix(BLUE_TOP, BLUE_BOTTOM, y / size));
  const stroke = 56 * s;
  WAVES.forEach((color, i) => {
    const base = (400 + i * 120) * s;
    const wave = (x: number): number => base - Math.sin(((x / s - 184) / 656) * Math.PI * 2) * 60 * s - ((x / s - 184) / 656) * 80 * s;
    fillShape(p, (x, y) => x >= 184 * s - stroke / 2 && x <= 840 * s + stroke / 2 && Math.abs(y - wave(Math.min(Math.max(x, 184 * s), 840 * s))) <= stroke / 2, () => color);
  });
  fillShape(p, roundedRect(184 * s, 720 * s, 840 * s, 808 * s, 44 * s), () => YELLOW);
  return p;
}

/** How wide `text` is at `scale` (one glyph pixel = scale×scale), a gap of one glyph pixel between glyphs. */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_WIDTH + (text.length - 1)) * scale;
}

/** Draws `text` (digits and "+") with its top-left at (x, y); unknown characters are left out. */
export function drawText(p: Pixels, text: string, x: number, y: number, scale: number, color: Rgb = WHITE): void {
  let left = x;
  for (const ch of text) {
    const glyph = GLYPHS[ch];
    if (glyph) {
      glyph.forEach((row, gy) => {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (row[gx] !== '#') continue;
          for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) blend(p, left + gx * scale + dx, y + gy * scale + dy, color, 1);
        }
      });
    }
    left += (GLYPH_WIDTH + 1) * scale;
  }
}

/** Where the count's pill goes and how big its digits are: the largest that fit the icon. */
export function badgeLayout(size: number, text: string): { scale: number; x0: number; y0: number; x1: number; y1: number } {
  let scale = Math.max(1, Math.floor(size / 10));
  while (scale > 1 && textWidth(text, scale) + 2 * scale > size) scale--;
  const pad = scale;
  const height = GLYPH_HEIGHT * scale + 2 * pad;
  const width = Math.max(height, textWidth(text, scale) + 2 * pad + scale);
  return { scale, x0: size - width, y0: size - height, x1: size, y1: size };
}

/** A red pill with the count in white, in the bottom-right corner. */
export function drawBadge(p: Pixels, text: string): void {
  if (text === '') return;
  const box = badgeLayout(Math.min(p.width, p.height), text);
  fillShape(p, roundedRect(box.x0, box.y0, box.x1, box.y1, (box.y1 - box.y0) / 2), () => BADGE_RED);
  const width = textWidth(text, box.scale);
  const x = Math.round(box.x0 + (box.x1 - box.x0 - width) / 2);
  const y = Math.round(box.y0 + (box.y1 - box.y0 - GLYPH_HEIGHT * box.scale) / 2);
  drawText(p, text, x, y, box.scale);
}

/** The tray icon: the app's mark, with the count (SummaryText "12", "99+") on it when there is one. */
export function trayIconPixels(text: string, size = 32): Pixels {
  const p = drawAppMark(size);
  drawBadge(p, text);
  return p;
}

/** The Windows taskbar overlay: only the count, filling its small square. */
export function overlayIconPixels(text: string, size = 16): Pixels {
  const p = blank(size, size);
  if (text === '') return p;
  const scale = text.length > 2 ? 1 : 2;
  const width = Math.max(size, textWidth(text, scale) + 2 * scale);
  const x0 = (size - Math.min(width, size)) / 2;
  fillShape(p, roundedRect(x0, 0, x0 + Math.min(width, size), size, size / 2), () => BADGE_RED);
  drawText(p, text, Math.round((size - textWidth(text, scale)) / 2), Math.round((size - GLYPH_HEIGHT * scale) / 2), scale);
  return p;
}

// ---------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** An RGBA PNG of the pixels (8 bits a channel, no filtering). */
export function encodePng(p: Pixels): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(p.width, 0);
  header.writeUInt32BE(p.height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc((p.width * 4 + 1) * p.height);
  for (let y = 0; y < p.height; y++) {
    rows[y * (p.width * 4 + 1)] = 0; // filter: none
    rows.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), y * (p.width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
