/**
 * The PNG writer (lib/core/render/png-encode.ts): its reused deflate streams, and the halves of taller images
 * deflated apart (in this thread, on the pool, or one each) into the same bytes.
 */
import * as zlib from 'node:zlib';
import {
  adler32,
  adler32Join,
  encodeRgbaPng,
  encodeRgbaPngAsync,
  deflateHalf,
  halfStreamBound,
  joinHalves,
  reusesDeflateStreams,
  topRows,
} from '../../../lib/core/render/png-encode';

/**
 * The zlib stream of the writer's scanlines from zlib's own one-shot calls: one deflateSync of every row for short
 * images; for taller ones the top rows' stream up to a sync flush, the bottom rows' deflate blocks (a whole
 * stream's, without its header and trailer), and the Adler-32 that zlib writes for every row deflated at once.
 */
function referenceStream(raw: Buffer, split: number, level: number, memLevel: number): Buffer {
  const whole = zlib.deflateSync(raw, { level, memLevel });
  if (split === raw.length) return whole;
  const top = zlib.deflateSync(raw.subarray(0, split), {
    level,
    memLevel,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  const bottom = zlib.deflateSync(raw.subarray(split), { level, memLevel });
  return Buffer.concat([top, bottom.subarray(2, bottom.length - 4), whole.subarray(whole.length - 4)]);
}

/** The PNG from zlib's one-shot calls, chunks assembled around the stream. */
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
    chunk('IDAT', referenceStream(raw, (stride + 1) * topRows(height), level, memLevel)),
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

  it('splits images of 256 rows or more into halves, and the joined stream inflates to every scanline', () => {
    expect([1, 255, 256, 257, 512, 1024].map(topRows)).toEqual([1, 255, 128, 129, 256, 512]);
    const rgba = mapLike(300, 257, 10);
    const png = encodeRgbaPng(rgba, 300, 257, 1, 9);
    const idat = png.subarray(41, png.length - 16);
    const raw = zlib.inflateSync(idat);
    expect(raw.length).toBe((300 * 4 + 1) * 257);
    for (const y of [0, 128, 129, 256]) {
      expect(raw[y * 1201]).toBe(0);
      expect(
        raw
          .subarray(y * 1201 + 1, (y + 1) * 1201)
          .equals(Buffer.from(rgba.subarray(y * 1200, (y + 1) * 1200))),
      ).toBe(true);
    }
  });

  it('gives the same bytes deflating the halves in this thread, both on the pool, or each apart', async () => {
    for (const [rgba, width, height] of [
      [mapLike(512, 512, 11), 512, 512],
      [mapLike(300, 257, 12), 300, 257],
      [mapLike(64, 48, 13), 64, 48],
      [noise(400, 400, 14), 400, 400],
    ] as const) {
      const reference = referencePng(rgba, width, height, 1, 9);
      expect(encodeRgbaPng(rgba, width, height, 1, 9).equals(reference)).toBe(true);
      expect((await encodeRgbaPngAsync(rgba, width, height, 1, 9)).equals(reference)).toBe(true);
      if (topRows(height) === height) continue;
      // Apart, as two map workers deflate them: each from a picture whose other rows are not drawn.
      const half = (which: 'top' | 'bottom'): Uint8Array => {
        const only = new Uint8Array(rgba.length);
        const rows = which === 'top' ? [0, topRows(height)] : [topRows(height), height];
        only.set(rgba.subarray(rows[0]! * width * 4, rows[1]! * width * 4), rows[0]! * width * 4);
        return only;
      };
      const bottom = deflateHalf(half('bottom'), width, height, 'bottom', 1, 9);
      const top = deflateHalf(half('top'), width, height, 'top', 1, 9);
      expect(joinHalves(top, bottom, width, height).equals(reference)).toBe(true);
      // As they arrive from a worker: plain Uint8Arrays, not Buffers.
      const plain = (h: typeof top) => ({ ...h, stream: new Uint8Array(h.stream) });
      expect(joinHalves(plain(top), plain(bottom), width, height).equals(reference)).toBe(true);
      // Into memory lent by the pool: within its first 8 bytes (word-aligned with where zlib wrote it), the same
      // bytes; memory too small is left alone.
      const bound = halfStreamBound(width, height);
      const lent = [new SharedArrayBuffer(bound), new SharedArrayBuffer(bound)] as const;
      const [topLent, bottomLent] = (['top', 'bottom'] as const).map((which, k) =>
        deflateHalf(half(which), width, height, which, 1, 9, new Uint8Array(lent[k]!)),
      ) as [typeof top, typeof bottom];
      expect(topLent.stream.buffer).toBe(lent[0]);
      expect(bottomLent.stream.buffer).toBe(lent[1]);
      expect(topLent.stream.byteOffset).toBeLessThan(8);
      expect(bottomLent.stream.byteOffset).toBeLessThan(8);
      expect(joinHalves(topLent, bottomLent, width, height).equals(reference)).toBe(true);
      // Halves in shared memory at every offset modulo a word join into the same bytes (copied word-aligned or
      // through a plain buffer).
      const sharedAt = (h: typeof top, at: number): typeof top => {
        const view = new Uint8Array(new SharedArrayBuffer(at + h.stream.length), at);
        view.set(h.stream);
        return { ...h, stream: view };
      };
      for (let at = 0; at < 8; at++) {
        const joined = joinHalves(sharedAt(top, at), sharedAt(bottom, 7 - at), width, height);
        expect(joined.equals(reference)).toBe(true);
      }
      const small = new Uint8Array(new SharedArrayBuffer(8));
      const own = deflateHalf(half('top'), width, height, 'top', 1, 9, small);
      expect(own.stream.buffer).not.toBe(small.buffer);
      expect(Buffer.from(own.stream).equals(Buffer.from(top.stream))).toBe(true);
    }
  });

  it('sums Adler-32 as zlib does, and joins two sums into that of both inputs', () => {
    const bytes = Buffer.from(noise(300, 300, 15));
    const zlibAdler = (b: Uint8Array): number => {
      const z = zlib.deflateSync(b, { level: 0 });
      return z.readUInt32BE(z.length - 4);
    };
    expect(adler32(bytes)).toBe(zlibAdler(bytes));
    expect(adler32(new Uint8Array())).toBe(1);
    for (const at of [0, 1, 5552, 65521, 200_000, bytes.length]) {
      const x = bytes.subarray(0, at);
      const y = bytes.subarray(at);
      expect(adler32Join(zlibAdler(x), zlibAdler(y), y.length)).toBe(zlibAdler(bytes));
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
