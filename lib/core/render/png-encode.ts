/** A minimal synchronous RGBA PNG encoder (node:zlib), used to embed the image in SVG without async sharp. */
import * as zlib from 'node:zlib';

/** CRC-32 lookup table for runtimes without zlib.crc32 (Node < 20.15). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function tableCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const crc32: (bytes: Uint8Array) => number =
  typeof zlib.crc32 === 'function' ? (bytes) => zlib.crc32(bytes) >>> 0 : tableCrc32;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Writes a chunk (length, type, data, CRC-32 of type + data) at `at`; returns the offset after it. */
function writeChunk(out: Buffer, at: number, type: string, data: Uint8Array): number {
  out.writeUInt32BE(data.length, at);
  out.write(type, at + 4, 'ascii');
  out.set(data, at + 8);
  out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + data.length)), at + 8 + data.length);
  return at + 12 + data.length;
}

/** Scanlines each prefixed with filter byte 0 (none), as PNG's IDAT stream expects before deflate; into `raw` if given. */
function unfilteredScanlines(
  rgba: Uint8Array,
  width: number,
  height: number,
  raw: Buffer = Buffer.allocUnsafe((width * 4 + 1) * height),
): Buffer {
  const stride = width * 4;
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return raw;
}

/**
 * Scanline buffers of the synchronous encoder by byte length, most recently used last: deflateSync is done with its
 * input when it returns, so one buffer per size serves every call. At most MAX_SCANLINE_SIZES sizes are kept.
 * Images over 1024² pixels get a buffer of their own. The asynchronous encoder never uses them (zlib reads its
 * input on the thread pool after the call returns).
 */
const MAX_SCANLINE_SIZES = 2;
const MAX_REUSED_SCANLINE_BYTES = (1024 * 4 + 1) * 1024;
const scanlinesBySize = new Map<number, Buffer>();

function reusedScanlines(bytes: number): Buffer {
  if (bytes > MAX_REUSED_SCANLINE_BYTES) return Buffer.allocUnsafe(bytes);
  const hit = scanlinesBySize.get(bytes);
  if (hit) scanlinesBySize.delete(bytes);
  const buffer = hit ?? Buffer.allocUnsafe(bytes);
  scanlinesBySize.set(bytes, buffer);
  if (scanlinesBySize.size > MAX_SCANLINE_SIZES)
    scanlinesBySize.delete(scanlinesBySize.keys().next().value as number);
  return buffer;
}

function checkSize(rgba: Uint8Array, width: number, height: number): void {
  if (rgba.length !== width * height * 4) throw new RangeError('RGBA buffer does not match width × height');
}

/** Signature, IHDR (8-bit RGBA), the IDAT of an already deflated stream, IEND. */
function assemble(idat: Uint8Array, width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const out = Buffer.allocUnsafe(SIGNATURE.length + (12 + header.length) + (12 + idat.length) + 12);
  out.set(SIGNATURE, 0);
  let at = writeChunk(out, SIGNATURE.length, 'IHDR', header);
  at = writeChunk(out, at, 'IDAT', idat);
  writeChunk(out, at, 'IEND', new Uint8Array());
  return out;
}

/** PNG (8-bit RGBA, non-interlaced) of a straight-alpha RGBA buffer; every scanline uses filter 0 (none). */
export function encodeRgbaPng(
  rgba: Uint8Array,
  width: number,
  height: number,
  level = 3,
  memLevel = 8,
): Buffer {
  checkSize(rgba, width, height);
  const scanlines = unfilteredScanlines(rgba, width, height, reusedScanlines((width * 4 + 1) * height));
  return assemble(zlib.deflateSync(scanlines, { level, memLevel }), width, height);
}

/**
 * The same PNG, deflated on libuv's thread pool: the service's event loop stays free for other requests while
 * zlib works, so a second core is used under load.
 */
export async function encodeRgbaPngAsync(
  rgba: Uint8Array,
  width: number,
  height: number,
  level = 3,
  memLevel = 8,
): Promise<Buffer> {
  checkSize(rgba, width, height);
  const scanlines = unfilteredScanlines(rgba, width, height);
  const idat = await new Promise<Buffer>((resolve, reject) =>
    zlib.deflate(scanlines, { level, memLevel }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
  return assemble(idat, width, height);
}
