/**
 * MATLAB Level 5 MAT-file reader (the format of EEGLAB .set files saved with `-v6`/`-v7`): 128-byte header,
 * then tagged data elements; miCOMPRESSED elements are zlib streams holding one miMATRIX each.
 * Every size is checked against the bytes left before use, recursion is capped, struct field names are capped
 * in length and count, and everything the parse produces is charged to one decoded-size budget before it is
 * allocated (inflated bytes, Float64 values, text, a fixed cost per value and per struct field), so a malformed
 * file ends in an unreadable_recording error rather than a crash, a huge allocation or a long parse.
 */
import { constants, inflateSync } from 'node:zlib';
import { unreadableRecording } from '../../core/errors';
import type { MatCell, MatChar, MatNumeric, MatStruct, MatValue, MatVariables, NumericClass } from './types';
import { numel } from './types';
import { DEFAULT_MAX_DECODED_BYTES } from '../types';

export interface Mat5Options {
  /**
   * The decoded-size budget: inflated bytes of miCOMPRESSED elements plus the decoded values (Float64, text,
   * per-value and per-field costs), all together (default DEFAULT_MAX_DECODED_BYTES).
   */
  maxDecodedBytes?: number;
  /** Cap on struct/cell nesting (default 32). */
  maxDepth?: number;
}

const HEADER_BYTES = 128;
/** MATLAB writes field names of 32 or 64 bytes (namelengthmax is 63); longer is refused. */
const MAX_FIELD_NAME_BYTES = 256;
/** Fields of one struct; EEGLAB's structs have a few dozen. */
const MAX_STRUCT_FIELDS = 4096;
/** Budget charged per decoded value (a JS object, its dims, its array) and per struct field of a record. */
const VALUE_COST = 512;
const FIELD_COST = 64;

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** Bytes per value of each numeric data type. */
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

/** mxCLASS codes of numeric arrays. */
const NUMERIC_CLASS: Record<number, NumericClass> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX = { CELL: 1, STRUCT: 2, OBJECT: 3, CHAR: 4, SPARSE: 5, FUNCTION: 16, OPAQUE: 17 } as const;

interface Tag {
  type: number;
  nbytes: number;
  /** Offset of the element's data. */
  data: number;
  /** Offset of the next element. */
  next: number;
}

/** A bounded view of (part of) the file, with the file's byte order. */
interface Buf {
  view: DataView;
  bytes: Uint8Array;
  le: boolean;
}

interface Ctx {
  name: string;
  maxDepth: number;
  /** Decoded bytes still allowed (inflated data and decoded values). */
  budget: { left: number };
}

/** 'v5' for a Level 5 MAT-file, 'v7.3' for an HDF5-based one, null otherwise. */
export function matFileVersion(header: Uint8Array): 'v5' | 'v7.3' | null {
  if (header.length < HEADER_BYTES) return null;
  const text = new TextDecoder('latin1').decode(header.subarray(0, 116));
  const endian = String.fromCharCode(header[126] ?? 0, header[127] ?? 0);
  if (!text.startsWith('MATLAB')) return null;
  if (text.startsWith('MATLAB 7.3')) return 'v7.3';
  return endian === 'IM' || endian === 'MI' ? 'v5' : null;
}

/** Parses a whole Level 5 MAT-file into its top-level variables. */
export function readMat5(bytes: Uint8Array, name: string, options: Mat5Options = {}): MatVariables {
  if (matFileVersion(bytes) !== 'v5') throw unreadableRecording(`${name} is not a MATLAB 5 MAT-file`);
  const le = String.fromCharCode(bytes[126] ?? 0, bytes[127] ?? 0) === 'IM';
  const ctx: Ctx = {
    name,
    maxDepth: options.maxDepth ?? 32,
    budget: { left: options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES },
  };
  const buf = makeBuf(bytes, le);
  const vars: MatVariables = new Map();
  let offset = HEADER_BYTES;
  while (offset + 8 <= bytes.length) {
    const tag = readTag(buf, offset, bytes.length, ctx);
    const variable = readTopLevel(buf, tag, ctx);
    if (variable) vars.set(variable.name, variable.value);
    offset = tag.next;
  }
  return vars;
}

function makeBuf(bytes: Uint8Array, le: boolean): Buf {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes, le };
}

function fail(ctx: Ctx, reason: string): never {
  throw unreadableRecording(`${ctx.name}: ${reason}`);
}

function readTag(buf: Buf, offset: number, end: number, ctx: Ctx): Tag {
  if (offset + 8 > end) fail(ctx, `MAT element tag at ${offset} passes the end of its container`);
  const first = buf.view.getUint32(offset, buf.le);
  const smallBytes = first >>> 16;
  if (smallBytes !== 0) {
    // Small data element: 2-byte size, 2-byte type, up to 4 bytes of data in the tag itself.
    if (smallBytes > 4) fail(ctx, `MAT small element of ${smallBytes} bytes`);
    return { type: first & 0xffff, nbytes: smallBytes, data: offset + 4, next: offset + 8 };
  }
  const nbytes = buf.view.getUint32(offset + 4, buf.le);
  const data = offset + 8;
  if (nbytes > end - data)
    fail(ctx, `MAT element of ${nbytes} bytes at ${offset} passes the end of its container`);
  const padded = first === MI.COMPRESSED ? nbytes : Math.ceil(nbytes / 8) * 8;
  return { type: first, nbytes, data, next: Math.min(data + padded, end) };
}

function readTopLevel(buf: Buf, tag: Tag, ctx: Ctx): { name: string; value: MatValue } | null {
  if (tag.type === MI.COMPRESSED) {
    const inner = inflate(buf.bytes.subarray(tag.data, tag.data + tag.nbytes), buf.le, ctx);
    const innerBuf = makeBuf(inner, buf.le);
    const innerTag = readTag(innerBuf, 0, inner.length, ctx);
    return readTopLevel(innerBuf, innerTag, ctx);
  }
  if (tag.type !== MI.MATRIX) return null; // other top-level elements carry no variable
  return readMatrix(buf, tag, ctx, 0);
}

/** Takes `bytes` from the decoded-size budget before they are allocated, or refuses the file. */
function charge(ctx: Ctx, bytes: number): void {
  if (!(bytes <= ctx.budget.left)) fail(ctx, 'decoded size limit reached');
  ctx.budget.left -= bytes;
}

/**
 * Inflates one miCOMPRESSED element. The element inside declares its size in its tag: that size is checked
 * against the budget first, then the stream is inflated into one buffer a little larger than that size (zlib's
 * chunk), so there is no second, concatenated copy; a stream longer than its tag says stops at the declared size.
 * (A chunk of exactly the declared size would be filled, and Node's inflateSync then allocates a second, unused
 * chunk of the same size before it sees the end of the stream: twice the budget in external memory.)
 */
function inflate(compressed: Uint8Array, le: boolean, ctx: Ctx): Uint8Array {
  if (ctx.budget.left <= 0) fail(ctx, 'decoded size limit reached');
  const declared = declaredInflatedSize(compressed, le, ctx);
  if (declared > ctx.budget.left)
    fail(ctx, `compressed MAT element of ${declared} bytes: decoded size limit reached`);
  let out: Buffer;
  try {
    out = inflateSync(compressed, { maxOutputLength: declared, chunkSize: Math.max(declared + 8, 64) });
  } catch (e) {
    const tooBig = e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    fail(ctx, tooBig ? 'compressed MAT element longer than its tag says' : 'corrupt compressed MAT element');
  }
  ctx.budget.left -= out.length;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Compressed input enough for a dynamic Huffman header and the inner tag (inflates to at most ~1 MB). */
const TAG_PROBE_BYTES = 1024;

/** The size of the element inside a compressed stream (its 8-byte tag plus data, padded), from its tag. */
function declaredInflatedSize(compressed: Uint8Array, le: boolean, ctx: Ctx): number {
  let head: Buffer;
  try {
    head = inflateSync(compressed.subarray(0, TAG_PROBE_BYTES), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    fail(ctx, 'corrupt compressed MAT element');
  }
  if (head.length < 8) fail(ctx, 'compressed MAT element too short for a tag');
  const first = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
  // A small element (size in the upper half of the first word) holds at most 4 bytes in its tag.
  const nbytes = first >>> 16 !== 0 ? 0 : le ? head.readUInt32LE(4) : head.readUInt32BE(4);
  return 8 + Math.ceil(nbytes / 8) * 8;
}

/** Reads one miMATRIX element: flags, dimensions, name, then the class-specific parts. */
function readMatrix(buf: Buf, tag: Tag, ctx: Ctx, depth: number): { name: string; value: MatValue } {
  if (tag.type !== MI.MATRIX) fail(ctx, `expected a MAT matrix element, found type ${tag.type}`);
  if (depth > ctx.maxDepth) fail(ctx, `MAT nesting deeper than ${ctx.maxDepth}`);
  charge(ctx, VALUE_COST);
  const end = tag.data + tag.nbytes;
  if (tag.nbytes === 0) return { name: '', value: emptyDouble() };
  const flagsTag = readTag(buf, tag.data, end, ctx);
  if (flagsTag.type !== MI.UINT32 || flagsTag.nbytes < 4) fail(ctx, 'bad MAT array flags');
  const flags = buf.view.getUint32(flagsTag.data, buf.le);
  const cls = flags & 0xff;
  const dimsTag = readTag(buf, flagsTag.next, end, ctx);
  const dims = readDims(buf, dimsTag, ctx);
  const nameTag = readTag(buf, dimsTag.next, end, ctx);
  if (nameTag.type !== MI.INT8 && nameTag.type !== MI.UINT8) fail(ctx, 'bad MAT array name');
  const name = latin1(buf.bytes.subarray(nameTag.data, nameTag.data + nameTag.nbytes));
  const body = { buf, start: nameTag.next, end, dims, ctx, depth };
  const numericClass = NUMERIC_CLASS[cls];
  if (numericClass)
    return {
      name,
      value: readNumeric(body, (flags & 0x200) !== 0 ? 'logical' : numericClass, (flags & 0x800) !== 0),
    };
  switch (cls) {
    case MX.CHAR:
      return { name, value: readChar(body) };
    case MX.CELL:
      return { name, value: readCell(body) };
    case MX.STRUCT:
      return { name, value: readStruct(body) };
    case MX.OBJECT:
      return { name, value: readStruct({ ...body, start: readTag(buf, body.start, end, ctx).next }) };
    case MX.SPARSE:
      return { name, value: { kind: 'unsupported', cls: 'sparse', dims } };
    case MX.FUNCTION:
      return { name, value: { kind: 'unsupported', cls: 'function_handle', dims } };
    case MX.OPAQUE:
      return { name, value: { kind: 'unsupported', cls: 'opaque', dims: [0, 0] } };
    default:
      fail(ctx, `unknown MAT array class ${cls}`);
  }
}

interface Body {
  buf: Buf;
  start: number;
  end: number;
  dims: number[];
  ctx: Ctx;
  depth: number;
}

function emptyDouble(): MatNumeric {
  return { kind: 'numeric', cls: 'double', dims: [0, 0], real: new Float64Array(0) };
}

function readDims(buf: Buf, tag: Tag, ctx: Ctx): number[] {
  if (tag.type !== MI.INT32 || tag.nbytes < 8 || tag.nbytes % 4 !== 0 || tag.nbytes > 4 * 64) {
    fail(ctx, 'bad MAT array dimensions');
  }
  const dims: number[] = [];
  for (let i = 0; i < tag.nbytes / 4; i++) {
    const d = buf.view.getInt32(tag.data + 4 * i, buf.le);
    if (d < 0) fail(ctx, 'negative MAT array dimension');
    dims.push(d);
  }
  if (!Number.isSafeInteger(numel(dims))) fail(ctx, 'MAT array dimensions overflow');
  return dims;
}

function readNumeric(body: Body, cls: NumericClass, complex: boolean): MatNumeric {
  const count = numel(body.dims);
  const realTag = readTag(body.buf, body.start, body.end, body.ctx);
  const real = readNumbers(body.buf, realTag, count, body.ctx);
  if (!complex) return { kind: 'numeric', cls, dims: body.dims, real };
  const imagTag = readTag(body.buf, realTag.next, body.end, body.ctx);
  return {
    kind: 'numeric',
    cls,
    dims: body.dims,
    real,
    imag: readNumbers(body.buf, imagTag, count, body.ctx),
  };
}

/** Decodes `count` values of the tag's storage type (which may be narrower than the array's class). */
function readNumbers(buf: Buf, tag: Tag, count: number, ctx: Ctx): Float64Array {
  const size = MI_SIZE[tag.type];
  if (size === undefined) fail(ctx, `MAT numeric data of type ${tag.type}`);
  if (tag.nbytes !== count * size)
    fail(ctx, `MAT numeric data holds ${tag.nbytes} bytes for ${count} values`);
  charge(ctx, count * 8);
  const out = new Float64Array(count);
  const read = numberReader(buf.view, tag.type, buf.le);
  for (let i = 0; i < count; i++) out[i] = read(tag.data + i * size);
  return out;
}

function numberReader(v: DataView, type: number, le: boolean): (offset: number) => number {
  switch (type) {
    case MI.INT8:
      return (o) => v.getInt8(o);
    case MI.UINT8:
      return (o) => v.getUint8(o);
    case MI.INT16:
      return (o) => v.getInt16(o, le);
    case MI.UINT16:
      return (o) => v.getUint16(o, le);
    case MI.INT32:
      return (o) => v.getInt32(o, le);
    case MI.UINT32:
      return (o) => v.getUint32(o, le);
    case MI.SINGLE:
      return (o) => v.getFloat32(o, le);
    case MI.INT64:
      return (o) => Number(v.getBigInt64(o, le));
    case MI.UINT64:
      return (o) => Number(v.getBigUint64(o, le));
    default:
      return (o) => v.getFloat64(o, le);
  }
}

function readChar(body: Body): MatChar {
  const { buf, ctx } = body;
  if (numel(body.dims) === 0 && body.start >= body.end) return { kind: 'char', dims: body.dims, text: '' };
  const tag = readTag(buf, body.start, body.end, ctx);
  const raw = buf.bytes.subarray(tag.data, tag.data + tag.nbytes);
  charge(ctx, raw.length * 2); // at most one UTF-16 code unit per byte
  return { kind: 'char', dims: body.dims, text: decodeChars(raw, tag.type, buf.le, ctx) };
}

function decodeChars(raw: Uint8Array, type: number, le: boolean, ctx: Ctx): string {
  switch (type) {
    case MI.UTF8:
      return new TextDecoder('utf-8').decode(raw);
    case MI.UINT16:
    case MI.UTF16:
      return new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(raw);
    case MI.INT8:
    case MI.UINT8:
      return latin1(raw);
    case MI.UTF32:
    case MI.INT32:
    case MI.UINT32:
      return utf32(raw, le);
    default:
      fail(ctx, `MAT character data of type ${type}`);
  }
}

function utf32(raw: Uint8Array, le: boolean): string {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let s = '';
  for (let o = 0; o + 4 <= raw.length; o += 4) {
    const cp = v.getUint32(o, le);
    s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return s;
}

function latin1(raw: Uint8Array): string {
  const zero = raw.indexOf(0);
  return new TextDecoder('latin1').decode(zero >= 0 ? raw.subarray(0, zero) : raw);
}

/** Checks that `n` sub-elements (8 bytes each at least) can fit in what is left, before looping over them. */
function checkRoom(body: Body, n: number, start: number): void {
  if (!Number.isSafeInteger(n) || n * 8 > body.end - start) {
    fail(body.ctx, `MAT container claims ${n} elements in ${body.end - start} bytes`);
  }
}

function readCell(body: Body): MatCell {
  const n = numel(body.dims);
  checkRoom(body, n, body.start);
  const elements: MatValue[] = [];
  let offset = body.start;
  for (let i = 0; i < n; i++) {
    const tag = readTag(body.buf, offset, body.end, body.ctx);
    elements.push(readMatrix(body.buf, tag, body.ctx, body.depth + 1).value);
    offset = tag.next;
  }
  return { kind: 'cell', dims: body.dims, elements };
}

function readStruct(body: Body): MatStruct {
  const { buf, ctx } = body;
  const lenTag = readTag(buf, body.start, body.end, ctx);
  if (lenTag.type !== MI.INT32 || lenTag.nbytes !== 4) fail(ctx, 'bad MAT struct field-name length');
  const nameLen = buf.view.getInt32(lenTag.data, buf.le);
  const namesTag = readTag(buf, lenTag.next, body.end, ctx);
  if (nameLen <= 0 || nameLen > MAX_FIELD_NAME_BYTES) fail(ctx, `MAT struct field names of ${nameLen} bytes`);
  if (namesTag.nbytes % nameLen !== 0) fail(ctx, 'bad MAT struct field names');
  const fieldCount = namesTag.nbytes / nameLen;
  if (fieldCount > MAX_STRUCT_FIELDS)
    fail(ctx, `MAT struct of ${fieldCount} fields (at most ${MAX_STRUCT_FIELDS})`);
  charge(ctx, fieldCount * (nameLen + FIELD_COST));
  const fieldNames: string[] = [];
  for (let o = 0; o < namesTag.nbytes; o += nameLen) {
    fieldNames.push(latin1(buf.bytes.subarray(namesTag.data + o, namesTag.data + o + nameLen)));
  }
  const n = numel(body.dims);
  checkRoom(body, n * fieldNames.length, namesTag.next);
  charge(ctx, n * fieldNames.length * FIELD_COST); // the records' map entries
  const elements: Map<string, MatValue>[] = [];
  let offset = namesTag.next;
  for (let i = 0; i < n; i++) {
    const record = new Map<string, MatValue>();
    for (const field of fieldNames) {
      const tag = readTag(buf, offset, body.end, ctx);
      record.set(field, readMatrix(buf, tag, ctx, body.depth + 1).value);
      offset = tag.next;
    }
    elements.push(record);
  }
  return { kind: 'struct', dims: body.dims, fieldNames, elements };
}
