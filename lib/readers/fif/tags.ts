/**
 * FIF tags: the 16-byte big-endian header and the payload decoders (MNE's `io/tag.py`). Decoders take the payload
 * bytes and return plain data; every size is checked against the payload so a corrupt tag is an
 * unreadable_recording error, never an out-of-range read.
 */
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import { MATRIX, TYPE } from './constants';

export const TAG_HEADER_BYTES = 16;

/** A tag header; `pos` is the file offset of the header, the payload follows at pos + 16. */
export interface TagHeader {
  kind: number;
  type: number;
  size: number;
  next: number;
  pos: number;
}

export function parseTagHeader(bytes: Uint8Array, pos: number): TagHeader {
  const view = dataView(bytes);
  return {
    kind: view.getInt32(0, false),
    type: view.getUint32(4, false),
    size: view.getInt32(8, false),
    next: view.getInt32(12, false),
    pos,
  };
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function needBytes(payload: Uint8Array, n: number, what: string): void {
  if (payload.length < n) throw unreadableRecording(`${what} tag has ${payload.length} bytes, needs ${n}`);
}

export function decodeInt(payload: Uint8Array, what = 'integer'): number {
  needBytes(payload, 4, what);
  return dataView(payload).getInt32(0, false);
}

/** Bytes per value of the simple numeric types (0 when the type is not a simple real number). */
export function numericTypeBytes(type: number): number {
  switch (type) {
    case TYPE.byte:
      return 1;
    case TYPE.short:
    case TYPE.ushort:
    case TYPE.dauPack16:
      return 2;
    case TYPE.int:
    case TYPE.uint:
    case TYPE.julian:
    case TYPE.float:
      return 4;
    case TYPE.double:
      return 8;
    default:
      return 0;
  }
}

/** Reads `count` values of a simple numeric type from `view` at byte `offset` into `out` starting at `outIndex`. */
export function readNumbers(
  view: DataView,
  type: number,
  offset: number,
  count: number,
  stride: number,
  out: Float64Array,
  outIndex: number,
): void {
  const get = numberGetter(view, type);
  for (let i = 0; i < count; i++) out[outIndex + i] = get(offset + i * stride);
}

function numberGetter(view: DataView, type: number): (offset: number) => number {
  switch (type) {
    case TYPE.byte:
      return (o) => view.getUint8(o);
    case TYPE.short:
    case TYPE.dauPack16:
      return (o) => view.getInt16(o, false);
    case TYPE.ushort:
      return (o) => view.getUint16(o, false);
    case TYPE.int:
    case TYPE.julian:
      return (o) => view.getInt32(o, false);
    case TYPE.uint:
      return (o) => view.getUint32(o, false);
    case TYPE.float:
      return (o) => view.getFloat32(o, false);
    case TYPE.double:
      return (o) => view.getFloat64(o, false);
    default:
      throw unsupportedFormat(`FIF numeric type ${type}`);
  }
}

/** All values of a simple numeric tag (int, float, double, ...). */
export function decodeNumbers(payload: Uint8Array, type: number): Float64Array {
  const bytes = numericTypeBytes(type);
  if (bytes === 0) throw unsupportedFormat(`FIF numeric type ${type}`);
  const n = Math.floor(payload.length / bytes);
  const out = new Float64Array(n);
  readNumbers(dataView(payload), type, 0, n, bytes, out, 0);
  return out;
}

/** The first value of a numeric tag, as MNE's `float(tag.data)` / `int(tag.data)`. */
export function decodeScalar(payload: Uint8Array, type: number, what: string): number {
  const bytes = numericTypeBytes(type);
  if (bytes === 0) throw unsupportedFormat(`FIF numeric type ${type} for ${what}`);
  if (payload.length < bytes) throw unreadableRecording(`${what} tag is empty`);
  const out = new Float64Array(1);
  readNumbers(dataView(payload), type, 0, 1, bytes, out, 0);
  return out[0] as number;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** FIFF strings are latin-1 and not NUL-terminated. */
export function decodeString(payload: Uint8Array): string {
  return latin1.decode(payload);
}

/** A dense matrix (row-major data, then dims in reverse order, then ndim as the last int32). */
export interface DenseMatrix {
  dims: number[];
  data: Float64Array;
}

/** Header of a dense matrix: element type, dims (C order) and the byte size of one element. */
export interface DenseMatrixLayout {
  elementType: number;
  dims: number[];
  elementBytes: number;
}

export function denseMatrixLayout(type: number, payload: Uint8Array): DenseMatrixLayout {
  if ((type & MATRIX.mask) >>> 0 !== MATRIX.dense)
    throw unsupportedFormat(`FIF matrix coding 0x${type.toString(16)}`);
  const elementType = type & 0xffff;
  const elementBytes =
    elementType === TYPE.float || elementType === TYPE.int ? 4 : elementType === TYPE.double ? 8 : 0;
  if (elementBytes === 0) throw unsupportedFormat(`FIF matrix element type ${elementType}`);
  needBytes(payload, 8, 'matrix');
  const dims = denseMatrixDims(payload);
  const ndim = dims.length;
  const count = dims.reduce((a, b) => a * b, 1);
  if (count * elementBytes + 4 * (ndim + 1) > payload.length) {
    throw unreadableRecording(`matrix dims ${dims.join('x')} do not fit its ${payload.length}-byte tag`);
  }
  return { elementType, dims, elementBytes };
}

/**
 * Dims (C order) of a dense matrix from its last 4·(ndim+1) bytes only, so the data need not be loaded: the file
 * stores the dims in reverse order just before ndim.
 */
export function denseMatrixDims(tail: Uint8Array): number[] {
  const view = dataView(tail);
  const ndim = view.getInt32(tail.length - 4, false);
  if (ndim < 1 || ndim > 3 || tail.length < 4 * (ndim + 1))
    throw unreadableRecording(`matrix with ${ndim} dimensions`);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getInt32(tail.length - 4 * (i + 2), false));
  if (dims.some((d) => d < 0)) throw unreadableRecording(`matrix with negative dimension ${dims.join('x')}`);
  return dims;
}

export function decodeDenseMatrix(type: number, payload: Uint8Array): DenseMatrix {
  const { elementType, dims, elementBytes } = denseMatrixLayout(type, payload);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Float64Array(count);
  readNumbers(dataView(payload), elementType, 0, count, elementBytes, data, 0);
  return { dims, data };
}

/** The 96-byte channel info struct. */
export interface ChInfoStruct {
  scanNo: number;
  logNo: number;
  kind: number;
  range: number;
  cal: number;
  coilType: number;
  loc: number[];
  unit: number;
  unitMul: number;
  name: string;
}

export const CH_INFO_BYTES = 96;

export function decodeChInfo(payload: Uint8Array): ChInfoStruct {
  needBytes(payload, CH_INFO_BYTES, 'channel info');
  const view = dataView(payload);
  const loc: number[] = [];
  for (let i = 0; i < 12; i++) loc.push(view.getFloat32(24 + 4 * i, false));
  return {
    scanNo: view.getInt32(0, false),
    logNo: view.getInt32(4, false),
    kind: view.getInt32(8, false),
    range: view.getFloat32(12, false),
    cal: view.getFloat32(16, false),
    coilType: view.getInt32(20, false),
    loc,
    unit: view.getInt32(72, false),
    unitMul: view.getInt32(76, false),
    name: decodeChannelName(payload.subarray(80, 96)),
  };
}

/** MNE keeps the bytes before the first NUL; with no NUL at all its `argmax` yields an empty name. */
function decodeChannelName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return end <= 0 ? '' : utf8.decode(bytes.subarray(0, end));
}

export interface DigPointStruct {
  kind: number;
  ident: number;
  r: [number, number, number];
}

export function decodeDigPoint(payload: Uint8Array): DigPointStruct {
  needBytes(payload, 20, 'dig point');
  const view = dataView(payload);
  return {
    kind: view.getInt32(0, false),
    ident: view.getInt32(4, false),
    r: [view.getFloat32(8, false), view.getFloat32(12, false), view.getFloat32(16, false)],
  };
}

/** A coordinate transform as a 4x4 row-major matrix (the stored inverse is ignored, as MNE does). */
export interface CoordTransStruct {
  from: number;
  to: number;
  trans: number[][];
}

export function decodeCoordTrans(payload: Uint8Array): CoordTransStruct {
  needBytes(payload, 56, 'coordinate transform');
  const view = dataView(payload);
  const f = (i: number): number => view.getFloat32(8 + 4 * i, false);
  const trans = [0, 1, 2].map((r) => [f(3 * r), f(3 * r + 1), f(3 * r + 2), f(9 + r)]);
  trans.push([0, 0, 0, 1]);
  return { from: view.getInt32(0, false), to: view.getInt32(4, false), trans };
}

/** Directory entries (kind, type, size, pos); the final sentinel entry is dropped as MNE does. */
export function decodeDirEntries(payload: Uint8Array): TagHeader[] {
  const view = dataView(payload);
  const n = Math.floor(payload.length / 16) - 1;
  const out: TagHeader[] = [];
  for (let i = 0; i < n; i++) {
    const o = 16 * i;
    out.push({
      kind: view.getInt32(o, false),
      type: view.getUint32(o + 4, false),
      size: view.getInt32(o + 8, false),
      next: 0,
      pos: view.getInt32(o + 12, false),
    });
  }
  return out;
}
