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

/**
 * A synchronous zlib deflater in place of Node's zlib (the service loads ISA-L's, lib/service/deflater.ts): the
 * encoders below use it when given one. Its streams are valid zlib streams of the same rows; their bytes are its own.
 */
export interface ZlibDeflater {
  /** Names the deflater and its setting (it changes a picture's bytes, so it is part of a PNG's ETag). */
  readonly name: string;
  /**
   * A zlib stream of `input` written at the start of `out`: with `finish` the whole stream (header, blocks, Adler-32);
   * without, the header and blocks up to a sync flush (byte-aligned, no trailer). Returns its length, or −1 when
   * `out` was too small.
   */
  deflate(input: Uint8Array, out: Uint8Array, finish: boolean): number;
  /** Adler-32 of `input` (zlib's checksum). */
  adler32(input: Uint8Array): number;
}

/**
 * Images of at least SPLIT_MIN_ROWS rows are deflated as two independent halves joined into one zlib stream: the
 * top rows (topRows) as a stream's header and blocks up to a sync flush, then the bottom rows' blocks as a new
 * stream makes them, then the Adler-32 of all rows. Two threads can deflate the halves at once, and the bytes are
 * the same wherever each half was deflated.
 */
export const SPLIT_MIN_ROWS = 256;

/** Rows in the top half: ⌈height / 2⌉, or every row of a smaller image. */
export const topRows = (height: number): number =>
  height >= SPLIT_MIN_ROWS ? Math.ceil(height / 2) : height;

const ADLER_MOD = 65521;
/** Bytes summed before reducing modulo ADLER_MOD (zlib's NMAX): the sums stay below 2³². */
const ADLER_RUN = 5552;

/** Adler-32 of `bytes` (zlib's checksum), where zlib does not hand it over (a Node without the reusable handle). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let from = 0; from < bytes.length; from += ADLER_RUN) {
    const to = Math.min(bytes.length, from + ADLER_RUN);
    for (let i = from; i < to; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Adler-32 of x followed by y, from x's and y's (y being `lengthY` bytes): a = a_x + a_y − 1 and
 * b = b_x + b_y + lengthY·(a_x − 1), modulo 65521 (each sum starts at 1, so y's a counts that 1 once too many).
 */
export function adler32Join(adlerX: number, adlerY: number, lengthY: number): number {
  const ax = adlerX & 0xffff;
  const a = (ax + (adlerY & 0xffff) + ADLER_MOD - 1) % ADLER_MOD;
  const b =
    ((adlerX >>> 16) + (adlerY >>> 16) + (lengthY % ADLER_MOD) * ((ax + ADLER_MOD - 1) % ADLER_MOD)) %
    ADLER_MOD;
  return ((b << 16) | a) >>> 0;
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
let keptOutput: Buffer = Buffer.allocUnsafe(512 * 1024);

/** Output room enough for deflating `n` bytes at any level (zlib's deflateBound is n + n/4096 + n/16384 + 13). */
const deflateRoom = (n: number): number => n + (n >> 11) + 1024;
const MAX_DEFLATE_PASSES = 3;

/**
 * Deflates `input` with the reused stream into `out` from byte `at`, ending with `flush` (Z_FINISH: the whole
 * stream; Z_SYNC_FLUSH: header and blocks up to a byte-aligned sync marker, the stream left open). Returns the
 * buffer (grown if `input` did not fit) and where the output ends. Throws when zlib fails (the stream is then
 * dropped, not reused).
 */
function deflateInto(
  entry: ReusedDeflate,
  key: string,
  input: Uint8Array,
  flush: number,
  start: { out: Buffer; at: number },
): { out: Buffer; end: number } {
  const { stream, handle, state } = entry;
  stream.reset();
  let { out, at } = start;
  let inOff = 0;
  // A pass ends the stream or flush (output room left) or fills the buffer, which then grows to hold any deflate
  // output of this input: two passes at most.
  for (let pass = 0; ; pass++) {
    if (pass === MAX_DEFLATE_PASSES) throw new Error('zlib did not finish the image');
    const room = out.length - at - PNG_TAIL;
    handle.writeSync(flush, input, inOff, input.length - inOff, out, at, room);
    if (stream.destroyed) {
      reusedDeflates.delete(key);
      throw new Error('zlib could not deflate the image');
    }
    const [availOut = 0, availIn = 0] = state;
    at += room - availOut;
    inOff = input.length - availIn;
    if (availOut !== 0) break;
    const grown = Buffer.allocUnsafe(
      Math.max(2 * out.length, start.at + deflateRoom(input.length) + PNG_TAIL),
    );
    grown.set(out.subarray(0, at));
    out = grown;
  }
  return { out, end: at };
}

/** Room for the few bytes that end a sync-flushed stream: an empty final block and the Adler-32. */
const finishTail = Buffer.alloc(64);

/**
 * The stream `entry` left open by a sync flush, finished with no more input: returns its Adler-32 (the checksum
 * of the input so far), which zlib writes last.
 */
function finishedAdler(entry: ReusedDeflate, key: string): number {
  const room = finishTail.length - PNG_TAIL;
  entry.handle.writeSync(zlib.constants.Z_FINISH, finishTail, 0, 0, finishTail, 0, room);
  const [availOut = 0] = entry.state;
  const end = room - availOut;
  if (entry.stream.destroyed || availOut === 0 || end < 4) {
    reusedDeflates.delete(key);
    throw new Error('zlib could not finish the image');
  }
  return finishTail.readUInt32BE(end - 4);
}

/** The top half's stream in `keptOutput` from IDAT_DATA_AT to `end`, and the Adler-32 of its input. */
function deflateTopSync(
  input: Uint8Array,
  level: number,
  memLevel: number,
): { out: Buffer; end: number; adler: number } {
  const entry = reusedDeflate(level, memLevel);
  if (!entry) {
    const top = zlib.deflateSync(input, { level, memLevel, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const out = Buffer.allocUnsafe(IDAT_DATA_AT + top.length);
    out.set(top, IDAT_DATA_AT);
    return { out, end: out.length, adler: adler32(input) };
  }
  const key = `${level}/${memLevel}`;
  const { out, end } = deflateInto(entry, key, input, zlib.constants.Z_SYNC_FLUSH, {
    out: keptOutput,
    at: IDAT_DATA_AT,
  });
  if (out !== keptOutput && out.length <= MAX_KEPT_OUTPUT) keptOutput = out;
  return { out, end, adler: finishedAdler(entry, key) };
}

/** Output buffer of the bottom halves deflated in this thread (kept like keptOutput). */
let keptBottom: Buffer = Buffer.allocUnsafe(256 * 1024);

/** A whole zlib stream of `input` (header, blocks, Adler-32) deflated in this thread. */
function deflateWholeSync(input: Uint8Array, level: number, memLevel: number): Buffer {
  const entry = reusedDeflate(level, memLevel);
  if (!entry) return zlib.deflateSync(input, { level, memLevel });
  const { out, end } = deflateInto(entry, `${level}/${memLevel}`, input, zlib.constants.Z_FINISH, {
    out: keptBottom,
    at: 0,
  });
  if (out !== keptBottom && out.length <= MAX_KEPT_OUTPUT) keptBottom = out;
  return out.subarray(0, end);
}

/** zlib's header (2 bytes) and Adler-32 trailer (4 bytes) around a whole stream's deflate blocks. */
const ZLIB_HEADER = 2;
const ZLIB_TRAILER = 4;

/** The Adler-32 that ends a whole zlib stream (any Uint8Array: a half may arrive from another thread without Buffer's methods). */
const trailerAdler = (stream: Uint8Array): number =>
  new DataView(stream.buffer, stream.byteOffset, stream.byteLength).getUint32(
    stream.byteLength - ZLIB_TRAILER,
  );

/**
 * A deflate stream kept for deflating on libuv's thread pool (encodeRgbaPngAsync), used by one image at a time and
 * reset between them (a new stream per image costs ≈ 0.6 ms of zlib set-up for a 512 px map's half). Its output
 * chunks hold a 512 px map's half whole: with zlib's default 16 kB chunks the pool stops at each one until this
 * thread's event loop takes it.
 */
interface PoolDeflate {
  stream: zlib.Deflate;
  chunks: Buffer[];
}
const POOL_CHUNK_BYTES = 640 * 1024;
/** Idle pool streams by setting and flush: at most four kinds, two streams each. */
const MAX_POOL_KINDS = 4;
const MAX_IDLE_PER_KIND = 2;
const idlePoolDeflates = new Map<string, PoolDeflate[]>();

/**
 * A kept stream whose writes end with `flush` (Z_FINISH: each write is a whole stream, one hop to the pool and back;
 * Z_SYNC_FLUSH: a top half, finished by a second, empty write).
 */
function takePoolDeflate(key: string, level: number, memLevel: number, flush: number): PoolDeflate {
  const idle = idlePoolDeflates.get(key)?.pop();
  if (idle) return idle;
  const entry: PoolDeflate = {
    stream: zlib.createDeflate({ level, memLevel, flush, chunkSize: POOL_CHUNK_BYTES }),
    chunks: [],
  };
  entry.stream.on('data', (chunk: Buffer) => entry.chunks.push(chunk));
  entry.stream.on('error', () => undefined); // seen as the destroyed stream in pooledWrite
  return entry;
}

function givePoolDeflateBack(key: string, entry: PoolDeflate): void {
  entry.chunks = [];
  let idle = idlePoolDeflates.get(key);
  if (!idle) {
    if (idlePoolDeflates.size === MAX_POOL_KINDS) {
      const [oldKey, old] = idlePoolDeflates.entries().next().value as [string, PoolDeflate[]];
      idlePoolDeflates.delete(oldKey);
      for (const o of old) o.stream.close();
    }
    idle = [];
    idlePoolDeflates.set(key, idle);
  }
  if (idle.length < MAX_IDLE_PER_KIND) idle.push(entry);
  else entry.stream.close();
}

/** Writes `input` to the pool stream (an empty input with flush `finish`): its output, joined. */
function pooledWrite(entry: PoolDeflate, input: Uint8Array | undefined, finish?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    entry.chunks = [];
    const done = (): void => {
      if (entry.stream.destroyed) reject(new Error('zlib could not deflate the image'));
      else resolve(entry.chunks.length === 1 ? (entry.chunks[0] as Buffer) : Buffer.concat(entry.chunks));
    };
    if (input) entry.stream.write(input, done);
    else entry.stream.flush(finish, done);
  });
}

/**
 * `input` deflated on libuv's thread pool by a kept stream: a whole zlib stream, or with `top` the stream up to a
 * sync flush and the Adler-32 of `input` (the stream then finished with no more input, as deflateTopSync does).
 */
async function deflateOnPool(
  input: Uint8Array,
  level: number,
  memLevel: number,
  top = false,
): Promise<{ stream: Buffer; adler: number }> {
  const flush = top ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FINISH;
  const key = `${level}/${memLevel}/${flush}`;
  const entry = takePoolDeflate(key, level, memLevel, flush);
  entry.stream.reset();
  const stream = await pooledWrite(entry, input);
  const tail = top ? await pooledWrite(entry, undefined, zlib.constants.Z_FINISH) : stream;
  givePoolDeflateBack(key, entry);
  return { stream, adler: trailerAdler(tail) };
}

/**
 * The PNG of a top half's stream (header and blocks up to its sync marker; `topAdler` the Adler-32 of its input)
 * followed by the bottom half's whole stream (`bottom`, of `bottomLength` input bytes): the bottom's deflate blocks
 * go after the top's sync marker, and the Adler-32 of both halves ends the joined stream.
 */
function assembleHalves(
  topStream: Uint8Array,
  topAdler: number,
  bottom: Uint8Array,
  bottomLength: number,
  width: number,
  height: number,
): Buffer {
  const blocks = bottom.subarray(ZLIB_HEADER, bottom.length - ZLIB_TRAILER);
  const end = IDAT_DATA_AT + topStream.length + blocks.length + ZLIB_TRAILER;
  const png = Buffer.allocUnsafeSlow(end + PNG_TAIL);
  setAligned(png, IDAT_DATA_AT, topStream);
  setAligned(png, IDAT_DATA_AT + topStream.length, blocks);
  const bottomAdler = trailerAdler(bottom);
  png.writeUInt32BE(adler32Join(topAdler, bottomAdler, bottomLength), end - ZLIB_TRAILER);
  writeFrame(png, end, width, height);
  return png;
}

/** Output room a deflater is given for `n` bytes of input (zlib's bound and more: stored blocks cost 5 bytes per 64 kB). */
const deflaterRoom = (n: number): number => n + (n >> 8) + 1024;

/** Scratch output of the deflater in this thread (a stream is copied out of it before the call returns). */
let deflaterScratch: Buffer = Buffer.alloc(0);

/**
 * The zlib stream of a half's (or a whole picture's) scanlines by `deflater`: a top half's up to its sync flush with
 * the Adler-32 of its rows, or a whole stream. Written straight into the start of `into` when it has the room,
 * else into this thread's scratch (grown as needed, kept up to MAX_KEPT_OUTPUT) and copied near the start of `into`
 * or into its own buffer. Throws when the deflater fails even with room.
 */
function streamWith(
  deflater: ZlibDeflater,
  scanlines: Uint8Array,
  top: boolean,
  into?: Uint8Array,
): { stream: Uint8Array; adler: number } {
  const room = deflaterRoom(scanlines.length);
  const inPlace = into !== undefined && into.length >= room;
  let target: Uint8Array = inPlace ? into : deflaterScratch;
  if (target.length < room) {
    target = Buffer.allocUnsafe(room);
    if (room <= MAX_KEPT_OUTPUT) deflaterScratch = target as Buffer;
  }
  const end = deflater.deflate(scanlines, target, !top);
  if (end < 0) throw new Error(`${deflater.name} could not deflate the image`);
  const stream = inPlace ? target.subarray(0, end) : copiedOut(target.subarray(0, end), into);
  return { stream, adler: top ? deflater.adler32(scanlines) : trailerAdler(stream) };
}

/** encodeRgbaPng's picture with `deflater`: every row deflated in this thread, in two halves when tall enough. */
function encodeWithDeflater(deflater: ZlibDeflater, rgba: Uint8Array, width: number, height: number): Buffer {
  const scanlines = unfilteredScanlines(rgba, width, height, reusedScanlines(scanlineBytes(width, height)));
  const split = scanlineBytes(width, topRows(height));
  if (split === scanlines.length)
    return assembleWhole(streamWith(deflater, scanlines, false).stream, width, height);
  const top = streamWith(deflater, scanlines.subarray(0, split), true);
  const bottom = scanlines.subarray(split);
  const made = streamWith(deflater, bottom, false);
  return assembleHalves(top.stream, top.adler, made.stream, bottom.length, width, height);
}

/** Bytes of the scanlines (filter byte and pixels) of rows 0…rows − 1. */
const scanlineBytes = (width: number, rows: number): number => (width * 4 + 1) * rows;

/**
 * PNG (8-bit RGBA, non-interlaced) of a straight-alpha RGBA buffer; every scanline uses filter 0 (none). Images of
 * SPLIT_MIN_ROWS rows or more are deflated in two halves (see topRows), both here: by Node's zlib at `level` and
 * `memLevel`, or by `deflater` when given.
 */
export function encodeRgbaPng(
  rgba: Uint8Array,
  width: number,
  height: number,
  level = 3,
  memLevel = 8,
  deflater?: ZlibDeflater,
): Buffer {
  checkSize(rgba, width, height);
  if (deflater) return encodeWithDeflater(deflater, rgba, width, height);
  const scanlines = unfilteredScanlines(rgba, width, height, reusedScanlines(scanlineBytes(width, height)));
  const split = scanlineBytes(width, topRows(height));
  if (split === scanlines.length)
    return assembleWhole(deflateWholeSync(scanlines, level, memLevel), width, height);
  const top = deflateTopSync(scanlines.subarray(0, split), level, memLevel);
  const bottom = scanlines.subarray(split);
  const topStream = top.out.subarray(IDAT_DATA_AT, top.end);
  return assembleHalves(
    topStream,
    top.adler,
    deflateWholeSync(bottom, level, memLevel),
    bottom.length,
    width,
    height,
  );
}

/** The PNG of a whole zlib stream (one deflate of every row). */
function assembleWhole(stream: Uint8Array, width: number, height: number): Buffer {
  const png = Buffer.allocUnsafeSlow(IDAT_DATA_AT + stream.length + PNG_TAIL);
  png.set(stream, IDAT_DATA_AT);
  writeFrame(png, IDAT_DATA_AT + stream.length, width, height);
  return png;
}

/** Whether this Node lets the synchronous encoder reuse its deflate streams (else it makes one per image). */
export const reusesDeflateStreams = (): boolean => reusedDeflate(1, 9) !== undefined;

/**
 * The same PNG, both halves deflated at once on libuv's thread pool: the service's event loop stays free for other
 * requests while zlib works (the service's map workers deflate in their own thread instead, or make a tall map in
 * halves, lib/service/map-runner.ts).
 */
export async function encodeRgbaPngAsync(
  rgba: Uint8Array,
  width: number,
  height: number,
  level = 3,
  memLevel = 8,
): Promise<Buffer> {
  checkSize(rgba, width, height);
  // Scanlines of their own: the pool reads them after this call has returned.
  const scanlines = unfilteredScanlines(rgba, width, height);
  const split = scanlineBytes(width, topRows(height));
  if (split === scanlines.length) {
    return assembleWhole((await deflateOnPool(scanlines, level, memLevel)).stream, width, height);
  }
  const bottom = scanlines.subarray(split);
  const bottomDeflated = deflateOnPool(bottom, level, memLevel);
  const top = await deflateOnPool(scanlines.subarray(0, split), level, memLevel, true);
  const { stream } = await bottomDeflated;
  return assembleHalves(top.stream, top.adler, stream, bottom.length, width, height);
}

/** `bytes` copied out of a kept buffer into an ArrayBuffer of their own (which a map worker can transfer). */
function ownCopy(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * Word size for copies into and out of shared memory: V8 copies a SharedArrayBuffer word by word only when source
 * and target sit at the same offset modulo a word, and byte by byte otherwise (a CTF map's 139 kB half: about 7×
 * slower, measured 2026-12-07). Plain memory is copied at any offset alike.
 */
const WORD = 8;

/** Whether target.set(source, at) copies shared memory out byte by byte (see WORD). */
const misalignedShared = (source: Uint8Array, target: Uint8Array, at: number): boolean =>
  source.buffer instanceof SharedArrayBuffer &&
  ((source.byteOffset - target.byteOffset - at) & (WORD - 1)) !== 0;

/**
 * `bytes` copied out of a kept buffer: near the start of `into` when they fit (a map worker's shared slot, read by
 * the thread that joins the halves), at the offset below WORD that keeps the copy word-aligned; else into an
 * ArrayBuffer of their own.
 */
function copiedOut(bytes: Uint8Array, into?: Uint8Array): Uint8Array {
  if (!into) return ownCopy(bytes);
  const at = (bytes.byteOffset - into.byteOffset) & (WORD - 1);
  if (into.length < at + bytes.length) return ownCopy(bytes);
  into.set(bytes, at);
  return into.subarray(at, at + bytes.length);
}

/** A plain buffer that shared-memory copies go through when they would be misaligned (setAligned). */
let staging: Uint8Array | undefined;
/** Staging buffers up to this size are kept for the next join; larger ones (pictures over 1024 px) are not. */
const MAX_KEPT_STAGING = 1 << 20;

/**
 * target.set(source, at) for a plain `target`, through a plain staging buffer when the copy would take shared memory
 * out byte by byte: a word copy out of the shared memory, then a plain copy to any offset.
 */
function setAligned(target: Uint8Array, at: number, source: Uint8Array): void {
  if (!misalignedShared(source, target, at)) {
    target.set(source, at);
    return;
  }
  const lead = source.byteOffset & (WORD - 1);
  const kept = staging !== undefined && staging.length >= lead + source.length ? staging : undefined;
  const buffer = kept ?? new Uint8Array(lead + source.length);
  if (!kept && buffer.length <= MAX_KEPT_STAGING) staging = buffer;
  const view = buffer.subarray(lead, lead + source.length);
  view.set(source);
  target.set(view, at);
}

/** Bytes a half's deflated stream can take at most (deflateHalf's `into` of this size always fits). */
export function halfStreamBound(width: number, height: number): number {
  const bytes = scanlineBytes(width, Math.max(topRows(height), height - topRows(height)));
  return deflaterRoom(bytes) + WORD; // the larger bound: zlib's deflateRoom is below it
}

/** deflateTopSync's stream copied out of the kept output buffer (before this thread yields), and its Adler-32. */
function topDeflatedHere(
  input: Uint8Array,
  level: number,
  memLevel: number,
  into?: Uint8Array,
): { stream: Uint8Array; adler: number } {
  const top = deflateTopSync(input, level, memLevel);
  return { stream: copiedOut(top.out.subarray(IDAT_DATA_AT, top.end), into), adler: top.adler };
}

/**
 * One half of a PNG's zlib stream as encodeRgbaPng makes it, deflated where the half was drawn: 'top' is the
 * stream up to its sync marker and the Adler-32 of its rows; 'bottom' a whole stream of its rows. Each `stream`
 * is the start of the buffer deflateHalf was given, or an ArrayBuffer of its own (a map worker transfers it).
 */
export interface DeflatedHalf {
  half: 'top' | 'bottom';
  stream: Uint8Array;
  adler: number;
  /** Scanline bytes deflated (filter bytes and pixels of the half's rows). */
  inputBytes: number;
}

/**
 * Deflates the rows of one half (topRows) of a width × height RGBA picture in this thread; `rgba` need only hold
 * those rows right (the rest is not read). joinHalves makes encodeRgbaPng's bytes from the two (with the same
 * `deflater`, or none). The stream goes near the start of `into` when it fits (halfStreamBound bytes always do),
 * else to a buffer of its own.
 */
export function deflateHalf(
  rgba: Uint8Array,
  width: number,
  height: number,
  half: 'top' | 'bottom',
  level = 3,
  memLevel = 8,
  into?: Uint8Array,
  deflater?: ZlibDeflater,
): DeflatedHalf {
  checkSize(rgba, width, height);
  const split = topRows(height);
  if (split === height) throw new RangeError(`an image of ${height} rows is not split in halves`);
  const [from, to] = half === 'top' ? [0, split] : [split, height];
  const rows = rgba.subarray(from * width * 4, to * width * 4);
  const bytes = scanlineBytes(width, to - from);
  const scanlines = unfilteredScanlines(rows, width, to - from, reusedScanlines(bytes));
  if (deflater) return { half, ...streamWith(deflater, scanlines, half === 'top', into), inputBytes: bytes };
  if (half === 'bottom') {
    const stream = copiedOut(deflateWholeSync(scanlines, level, memLevel), into);
    return { half, stream, adler: trailerAdler(stream), inputBytes: bytes };
  }
  return { half, ...topDeflatedHere(scanlines, level, memLevel, into), inputBytes: bytes };
}

/** The PNG of a width × height picture from its two deflated halves (encodeRgbaPng's bytes). */
export function joinHalves(top: DeflatedHalf, bottom: DeflatedHalf, width: number, height: number): Buffer {
  if (top.half !== 'top' || bottom.half !== 'bottom') throw new RangeError('halves given in the wrong order');
  if (top.inputBytes + bottom.inputBytes !== scanlineBytes(width, height))
    throw new RangeError('the halves do not make a width × height picture');
  return assembleHalves(top.stream, top.adler, bottom.stream, bottom.inputBytes, width, height);
}
