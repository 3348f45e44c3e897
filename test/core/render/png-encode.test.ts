/** The synchronous PNG writer (lib/core/render/png-encode.ts) with its reused deflate streams. */
import * as zlib from 'node:zlib';
import { encodeRgbaPng, reusesDeflateStreams } from '../../../lib/core/render/png-encode';

/** The PNG as the writer made it before reuse: one zlib.deflateSync per image, chunks assembled around it. */
function referencePng(
  rgba: Uint8Array,
  width: number,
  height: number,
  level: number,
  memLevel: number,
): Buffer {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level, memLevel })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** A map-like image: smooth colour fields, a transparent border, thin lines (repeatable from `seed`). */
function mapLike(width: number, height: number, seed: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (0.4 * width) ** 2;
      if (!inside) continue;
      const v = Math.sin((x + seed) / 37) * Math.cos((y - seed) / 23);
      const line = (x * 7 + y * 3 + seed) % 61 === 0;
      rgba.set(line ? [0, 0, 0, 255] : [128 + 127 * v, 90, 128 - 127 * v, 255], i);
    }
  }
  return rgba;
}

/** Random bytes (an image deflate cannot shrink: its output outgrows the writer's first output buffer). */
function noise(width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

describe('synchronous PNG writer', () => {
  it('reuses its deflate streams on this Node (internal zlib handle present)', () => {
    expect(reusesDeflateStreams()).toBe(true);
  });

  it('writes the same bytes as one deflateSync per image, image after image and across settings', () => {
    const cases: [Uint8Array, number, number, number, number][] = [
      [mapLike(512, 512, 1), 512, 512, 1, 9],
      [mapLike(512, 512, 2), 512, 512, 1, 9],
      [mapLike(64, 48, 3), 64, 48, 1, 9],
      [mapLike(300, 200, 4), 300, 200, 3, 8],
      [mapLike(512, 512, 5), 512, 512, 2, 8],
      [mapLike(512, 512, 6), 512, 512, 1, 9],
      [new Uint8Array(4), 1, 1, 1, 9],
      // Incompressible and larger than the first output buffer (512 kB): the buffer grows mid-stream.
      [noise(400, 400, 7), 400, 400, 1, 9],
      [mapLike(512, 512, 8), 512, 512, 1, 9],
    ];
    for (const [rgba, width, height, level, memLevel] of cases) {
      const png = encodeRgbaPng(rgba, width, height, level, memLevel);
      expect(png.equals(referencePng(rgba, width, height, level, memLevel))).toBe(true);
      // An ArrayBuffer of its own (a map worker transfers it).
      expect(png.byteOffset).toBe(0);
      expect(png.buffer.byteLength).toBe(png.length);
    }
  });

  it('keeps a stream for at most two settings, remaking one it dropped with the same bytes', () => {
    const rgba = mapLike(128, 128, 9);
    for (const [level, memLevel] of [
      [1, 9],
      [2, 8],
      [3, 8],
      [1, 9],
    ] as const) {
      expect(
        encodeRgbaPng(rgba, 128, 128, level, memLevel).equals(referencePng(rgba, 128, 128, level, memLevel)),
      ).toBe(true);
    }
  });
});
