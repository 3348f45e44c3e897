/**
 * ISA-L's deflater (lib/service/deflater.ts, native/isal-deflate): PNGs it writes, whole or in halves joined, are
 * valid and hold exactly the pixels given; its halves join into its whole picture's bytes; its Adler-32 is zlib's;
 * the binding refuses bad arguments; and LORIS_EPHYS_DEFLATE chooses it as documented. The binding is built by
 * `npm run setup` where libisal's headers are (CI installs them); elsewhere these tests are skipped, except in CI.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import {
  adler32,
  deflateHalf,
  encodeRgbaPng,
  halfStreamBound,
  joinHalves,
  topRows,
} from '../../lib/core/render/png-encode';
import {
  chooseDeflater,
  deflateSetting,
  deflaterName,
  ISAL_ADDON,
  isalAddonPath,
} from '../../lib/service/deflater';

const addon = isalAddonPath(join(__dirname, '..', '..'), {});
if (!addon && process.env.CI === 'true')
  throw new Error(`CI: the ISA-L binding is not built (${ISAL_ADDON})`);
if (!addon)
  console.warn(`ISA-L binding not built (${ISAL_ADDON}): its tests are skipped (npm run build:native)`);
const withAddon = addon ? describe : describe.skip;

/** A picture with runs, gradients, noise and transparent corners, as maps have. */
function picture(width: number, height: number, seed = 1): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  };
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 2) ** 2;
      if (!inside) continue;
      rgba[o] = (x * 255) / width;
      rgba[o + 1] = (y * 255) / height;
      rgba[o + 2] = (x + y) % 7 === 0 ? rand() : 128;
      rgba[o + 3] = x % 13 === 0 ? 200 : 255;
    }
  return rgba;
}

/** The decoded RGBA of a PNG (sharp, libspng), and its scanlines as zlib inflates its IDAT. */
async function decoded(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

function idatInflated(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return zlib.inflateSync(Buffer.concat(parts));
}

function scanlines(rgba: Uint8Array, width: number, height: number): Buffer {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return raw;
}

withAddon('ISA-L deflater', () => {
  const deflater = chooseDeflater('isal', addon);
  if (!deflater) throw new Error('no deflater');

  it.each([
    [512, 512],
    [300, 257],
    [100, 50],
    [1, 1],
  ])('a %i × %i PNG holds exactly its pixels', async (width, height) => {
    const rgba = picture(width, height);
    const png = encodeRgbaPng(rgba, width, height, 1, 9, deflater);
    expect(idatInflated(png).equals(scanlines(rgba, width, height))).toBe(true);
    expect((await decoded(png)).equals(Buffer.from(rgba))).toBe(true);
    // The same pixels as Node's zlib writes, in other bytes.
    const byZlib = encodeRgbaPng(rgba, width, height, 1, 9);
    expect((await decoded(byZlib)).equals(await decoded(png))).toBe(true);
  });

  it('noise that does not compress still fits the room it is given', async () => {
    const rgba = new Uint8Array(512 * 512 * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
    const png = encodeRgbaPng(rgba, 512, 512, 1, 9, deflater);
    expect((await decoded(png)).equals(Buffer.from(rgba))).toBe(true);
  });

  it('halves deflated apart, in their own buffers or in shared memory, join into its whole picture', () => {
    for (const [width, height] of [
      [512, 512],
      [300, 257],
    ] as const) {
      const rgba = picture(width, height, 7);
      const whole = encodeRgbaPng(rgba, width, height, 1, 9, deflater);
      const top = deflateHalf(rgba, width, height, 'top', 1, 9, undefined, deflater);
      const bottom = deflateHalf(rgba, width, height, 'bottom', 1, 9, undefined, deflater);
      expect(joinHalves(top, bottom, width, height).equals(whole)).toBe(true);
      const slots = [0, 1].map(() => new Uint8Array(new SharedArrayBuffer(halfStreamBound(width, height))));
      const sharedTop = deflateHalf(rgba, width, height, 'top', 1, 9, slots[0], deflater);
      const sharedBottom = deflateHalf(rgba, width, height, 'bottom', 1, 9, slots[1], deflater);
      // Written in place: no copy out of a buffer of the deflater's own.
      expect(sharedTop.stream.buffer).toBe(slots[0]?.buffer);
      expect(sharedBottom.stream.buffer).toBe(slots[1]?.buffer);
      expect(joinHalves(sharedTop, sharedBottom, width, height).equals(whole)).toBe(true);
      expect(topRows(height)).toBeLessThan(height);
    }
  });

  it("its Adler-32 is zlib's", () => {
    const bytes = scanlines(picture(200, 100, 3), 200, 100);
    expect(deflater.adler32(bytes)).toBe(adler32(bytes));
    expect(deflater.adler32(new Uint8Array(0))).toBe(1);
  });

  it('the binding refuses bad arguments and reports an output too small', () => {
    const binding = createRequire(__filename)(addon as string) as {
      deflate(...args: unknown[]): number;
    };
    const input = scanlines(picture(64, 64), 64, 64);
    // (TypeErrors of the addon's realm, not Jest's: matched by message.)
    expect(() => binding.deflate(input, new Uint8Array(10), 4, true)).toThrow(/level must be/);
    expect(() => binding.deflate('text', new Uint8Array(10), 2, true)).toThrow(/typed arrays/);
    expect(() => binding.deflate(input, new Uint8Array(10), 2)).toThrow(/four arguments/);
    expect(binding.deflate(input, new Uint8Array(16), 2, true)).toBe(-1);
  });
});

describe('choosing the deflater (LORIS_EPHYS_DEFLATE)', () => {
  it('reads the setting: auto unless zlib or isal', () => {
    expect(deflateSetting({})).toBe('auto');
    expect(deflateSetting({ LORIS_EPHYS_DEFLATE: 'zlib' })).toBe('zlib');
    expect(deflateSetting({ LORIS_EPHYS_DEFLATE: 'isal' })).toBe('isal');
    expect(deflateSetting({ LORIS_EPHYS_DEFLATE: 'ISAL ' })).toBe('auto');
  });

  it("zlib is Node's; auto without a binding is Node's; isal without one is an error", () => {
    expect(chooseDeflater('zlib', addon)).toBeUndefined();
    expect(chooseDeflater('auto', undefined)).toBeUndefined();
    expect(() => chooseDeflater('isal', undefined)).toThrow(/not built/);
    expect(deflaterName(undefined)).toBe('zlib');
  });

  it('a file that is not a binding: auto falls back to zlib, isal fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'loris-ephys-isal-'));
    try {
      const fake = join(root, ISAL_ADDON);
      mkdirSync(join(fake, '..'), { recursive: true });
      writeFileSync(fake, 'not a shared object');
      expect(isalAddonPath(join(root, 'dist', 'topomap'), {})).toBe(fake);
      expect(isalAddonPath('/', { LORIS_EPHYS_ROOT: root })).toBe(fake);
      expect(chooseDeflater('auto', fake)).toBeUndefined();
      expect(() => chooseDeflater('isal', fake)).toThrow();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  (addon ? it : it.skip)('auto finds the built binding and names it for ETags', () => {
    expect(deflaterName(chooseDeflater('auto', addon))).toBe('isal-2');
  });
});
