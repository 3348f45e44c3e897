/** A minimal synchronous RGBA PNG encoder (node:zlib), used to embed the image in SVG without async sharp. */
import { isUint32Array } from 'node:util/types';
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
  const out = Buffer.allocUnsafe(IDAT_DATA_AT + idat.length + PNG_TAIL);
  out.set(idat, IDAT_DATA_AT);
  writeFrame(out, IDAT_DATA_AT + idat.length, width, height);
  return out;
}

/**
 * Writes a PNG's signature, IHDR chunk and IDAT head before a deflated stream that sits in `out` from IDAT_DATA_AT
 * to `end`, and the IDAT CRC-32 and IEND chunk after it.
 */
function writeFrame(out: Buffer, end: number, width: number, height: number): void {
  out.set(SIGNATURE, 0);
  const header = out.subarray(16, 29);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  out.writeUInt32BE(13, 8);
  out.write('IHDR', 12, 'ascii');
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  out.writeUInt32BE(end - IDAT_DATA_AT, IDAT_DATA_AT - 8);
  out.write('IDAT', IDAT_DATA_AT - 4, 'ascii');
  out.writeUInt32BE(crc32(out.subarray(IDAT_DATA_AT - 4, end)), end);
  out.writeUInt32BE(0, end + 4);
  out.write('IEND', end + 8, 'ascii');
  out.writeUInt32BE(crc32(out.subarray(end + 8, end + 12)), end + 12);
}
/**
 * zlib's native deflate handle inside a Node zlib stream, with the two members Node's own synchronous zlib
 * functions use (lib/zlib.js processChunkSync): `_handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)`
 * and `_writeState` ([avail_out, avail_in] after the call). Internal to Node, so looked for, not assumed.
 */
interface NativeDeflate {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
}
interface ReusedDeflate {
  stream: zlib.Deflate;
  handle: NativeDeflate;
  state: Uint32Array;
}

/** The stream's native handle and write state when this Node has them (Node 20–24 do), else undefined. */
function nativeParts(stream: zlib.Deflate): { handle: NativeDeflate; state: Uint32Array } | undefined {
  const inner = stream as unknown as { _handle?: { writeSync?: unknown }; _writeState?: unknown };
  const handle = inner._handle;
  const state = inner._writeState;
  if (typeof handle?.writeSync !== 'function' || !isUint32Array(state) || state.length < 2) return undefined;
  return { handle: handle as NativeDeflate, state };
}

/**
 * One deflate stream per (level, memLevel) in this thread, reset between images instead of made anew: a new
 * stream per image (zlib.deflateSync) costs zlib's ~400 kB of state, its 16 kB output pieces and their
 * concatenation. deflateReset starts a stream exactly as deflateInit2 does, so the bytes are the same
 * (test/core/render/png-encode.test.ts). At most MAX_REUSED_DEFLATES settings are kept (least recently used go).
 */
const MAX_REUSED_DEFLATES = 2;
const reusedDeflates = new Map<string, ReusedDeflate | null>();

function reusedDeflate(level: number, memLevel: number): ReusedDeflate | undefined {
  const key = `${level}/${memLevel}`;
  let entry = reusedDeflates.get(key);
  if (entry === undefined) {
    const stream = zlib.createDeflate({ level, memLevel });
    const parts = nativeParts(stream);
    entry = parts ? { stream, ...parts } : null; // null: this Node has no handle to reuse
    // zlib's errors destroy the stream at once (checked after each write) and are emitted later: heard here.
    if (entry) stream.on('error', () => undefined);
    else stream.close();
  } else reusedDeflates.delete(key);
  reusedDeflates.set(key, entry);
  if (reusedDeflates.size > MAX_REUSED_DEFLATES) {
    const [oldKey, old] = reusedDeflates.entries().next().value as [string, ReusedDeflate | null];
    reusedDeflates.delete(oldKey);
    old?.stream.close();
  }
  return entry ?? undefined;
}

/** Bytes before the deflated stream in our PNG: signature, IHDR chunk, IDAT length and type. */
const IDAT_DATA_AT = 8 + (12 + 13) + 8;
/** A PNG's bytes after the deflated stream: IDAT CRC-32, IEND chunk. */
const PNG_TAIL = 4 + 12;

/**
 * The output buffer of the reused streams, grown as needed; kept while at most MAX_KEPT_OUTPUT bytes (a 1024²
 * map's PNG fits), larger images get one of their own. Every PNG is copied out of it into a buffer of its size.
 */
const MAX_KEPT_OUTPUT = 8 * 1024 * 1024;
let keptOutput = Buffer.allocUnsafe(512 * 1024);

/** Output room enough for deflating `n` bytes at any level (zlib's deflateBound is n + n/4096 + n/16384 + 13). */
const deflateRoom = (n: number): number => n + (n >> 11) + 1024;
const MAX_DEFLATE_PASSES = 3;

/**
 * Deflates `input` whole with the reused stream into an output buffer from byte IDAT_DATA_AT; returns that
 * buffer and where the stream ends. Throws when zlib fails (the stream is then dropped, not reused).
 */
function deflateInto(entry: ReusedDeflate, key: string, input: Uint8Array): { out: Buffer; end: number } {
  const { stream, handle, state } = entry;
  stream.reset();
  let out = keptOutput;
  let at = IDAT_DATA_AT;
  let inOff = 0;
  // A pass ends the stream (output room left) or fills the buffer, which then grows to hold any deflate output
  // of this input: two passes at most.
  for (let pass = 0; ; pass++) {
    if (pass === MAX_DEFLATE_PASSES) throw new Error('zlib did not finish the image');
    const room = out.length - at - PNG_TAIL;
    handle.writeSync(zlib.constants.Z_FINISH, input, inOff, input.length - inOff, out, at, room);
    if (stream.destroyed) {
      reusedDeflates.delete(key);
      throw new Error('zlib could not deflate the image');
    }
    const [availOut = 0, availIn = 0] = state;
    at += room - availOut;
    inOff = input.length - availIn;
    if (availOut !== 0) break;
    const grown = Buffer.allocUnsafe(
      Math.max(2 * out.length, IDAT_DATA_AT + deflateRoom(input.length) + PNG_TAIL),
    );
    grown.set(out.subarray(0, at));
    out = grown;
  }
  if (out !== keptOutput && out.length <= MAX_KEPT_OUTPUT) keptOutput = out;
  return { out, end: at };
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
  const entry = reusedDeflate(level, memLevel);
  if (!entry) return assemble(zlib.deflateSync(scanlines, { level, memLevel }), width, height);
  const { out, end } = deflateInto(entry, `${level}/${memLevel}`, scanlines);
  return assembleAround(out, end, width, height);
}

/**
 * The PNG of a deflated stream already in `out` from IDAT_DATA_AT to `end`: the header and chunk fields are
 * written around it there, and the whole copied into a buffer of its own size (an ArrayBuffer of its own, which a
 * map worker transfers to the main thread).
 */
function assembleAround(out: Buffer, end: number, width: number, height: number): Buffer {
  writeFrame(out, end, width, height);
  const png = Buffer.allocUnsafeSlow(end + PNG_TAIL);
  png.set(out.subarray(0, end + PNG_TAIL));
  return png;
}
/** Whether this Node lets the synchronous encoder reuse its deflate streams (else it makes one per image). */
export const reusesDeflateStreams = (): boolean => reusedDeflate(1, 9) !== undefined;

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
