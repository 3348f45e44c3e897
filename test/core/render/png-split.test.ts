/**
 * The split PNG encoder (lib/core/render/png-encode.ts encodeRgbaPngSplit): its zlib stream inflates (zlib checks
 * the combined Adler-32) to exactly the scanlines of the image, for odd sizes, random pixels and real maps, and
 * renderPng with `split` gives the same pixels as without. adler32 / adler32Combine agree with zlib's own.
 */
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { renderPng } from '../../../lib/core/render';
import { DEFAULT_PNG } from '../../../lib/core/render/png';
import { adler32, adler32Combine, encodeRgbaPngSplit } from '../../../lib/core/render/png-encode';
import { KINDS, loadGolden, plainOptions, toMap } from './fixture';

/** zlib's Adler-32 of `bytes`: the trailer of a zlib stream of them. */
const zlibAdler = (bytes: Uint8Array): number => {
  const stream = zlib.deflateSync(bytes, { level: 0 });
  return stream.readUInt32BE(stream.length - 4);
};

/** Chunks of a PNG (type and data), checking each CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(zlib.crc32(png.subarray(at + 4, at + 8 + length)));
    out.push({ type, data });
    at += 12 + length;
  }
  return out;
}

/** The RGBA pixels of one of our PNGs (filter 0 on every row), inflated by zlib (which checks the Adler-32). */
function pixelsOf(png: Buffer, width: number, height: number): Buffer {
  const idat = Buffer.concat(
    chunks(png)
      .filter((c) => c.type === 'IDAT')
      .map((c) => c.data),
  );
  const raw = zlib.inflateSync(idat);
  const stride = width * 4;
  expect(raw.length).toBe((stride + 1) * height);
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    raw.copy(rgba, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return rgba;
}

describe('adler32', () => {
  it.each([0, 1, 5551, 5552, 5553, 100_003])('of %i random bytes is zlib’s', (n) => {
    const bytes = randomBytes(n);
    expect(adler32(bytes)).toBe(zlibAdler(bytes));
    expect(adler32(Buffer.alloc(n, 0xff))).toBe(zlibAdler(Buffer.alloc(n, 0xff)));
  });

  it('combines the checksums of two parts into the whole’s', () => {
    const bytes = Buffer.concat([randomBytes(70_000), Buffer.alloc(140_000, 0xff)]);
    for (const cut of [0, 1, 65_521, 65_522, 70_000, 131_042, bytes.length - 1, bytes.length]) {
      const a = bytes.subarray(0, cut);
      const b = bytes.subarray(cut);
      expect(adler32Combine(adler32(a), adler32(b), b.length)).toBe(zlibAdler(bytes));
    }
  });
});

describe('encodeRgbaPngSplit', () => {
  it.each([
    [1, 1],
    [1, 2],
    [3, 5],
    [64, 63],
    [257, 128],
  ])('%i × %i random pixels come back exactly', async (width, height) => {
    const rgba = randomBytes(width * height * 4);
    const png = await encodeRgbaPngSplit(rgba, width, height, 1, 9);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(chunks(png).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(pixelsOf(png, width, height).equals(rgba)).toBe(true);
  });

  it.each(KINDS)('renderPng with split gives the same pixels as without (%s map, 512 px)', async (kind) => {
    const gold = loadGolden(kind);
    const options = plainOptions(512, { contours: true, sensors: true, colorbar: true, outlines: 'head' });
    const whole = await renderPng(toMap(gold), options, {
      lut: gold.lut,
      png: { ...DEFAULT_PNG, sync: true },
    });
    const split = await renderPng(toMap(gold), options, {
      lut: gold.lut,
      png: { ...DEFAULT_PNG, sync: true, split: true },
    });
    expect(split.equals(whole)).toBe(false); // a different stream …
    const { width, height } = { width: whole.readUInt32BE(16), height: whole.readUInt32BE(20) };
    expect(pixelsOf(split, width, height).equals(pixelsOf(whole, width, height))).toBe(true); // … of the same pixels
  });
});
