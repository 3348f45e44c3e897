/**
 * A gzip of many MiB of zeros, built synchronously without ever holding the zeros: one deflate segment for the
 * first MiB, then the same segment (compressed against a window of zeros) repeated, then a final empty block.
 * The trailer's CRC-32 is computed by CRC combination (zlib's crc32_combine), so the file is valid gzip.
 */
import { constants, deflateRawSync } from 'node:zlib';

const MiB = 2 ** 20;
const POLY = 0xedb88320;

let table: Int32Array | null = null;

function crcTable(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** CRC-32 (gzip's) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = -1;
  for (const b of bytes) c = (t[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** a(x)·b(x) modulo the CRC-32 polynomial, in the reflected bit order (zlib's multmodp; a ≠ 0). */
function multModP(a: number, b: number): number {
  let p = 0;
  let m = 0x80000000;
  let v = b;
  while (m !== 0) {
    if (a & m) {
      p ^= v;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    v = v & 1 ? (v >>> 1) ^ POLY : v >>> 1;
  }
  return p >>> 0;
}

/** x^(8n) modulo the polynomial: the operator that appends n zero bytes. */
function zerosOperator(n: number): number {
  let power = 0x40000000; // x^1
  for (let i = 0; i < 3; i++) power = multModP(power, power); // x^8
  let p = 0x80000000; // x^0
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) p = multModP(power, p);
    power = multModP(power, power);
  }
  return p;
}

/** CRC-32 of A followed by B, from their CRCs and B's length (zlib's crc32_combine). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(zerosOperator(lengthB), crcA) ^ crcB) >>> 0;
}

const GZIP_HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
/** BFINAL=1, fixed Huffman, end of block: closes a stream left byte-aligned by a sync flush. */
const FINAL_EMPTY_BLOCK = [0x03, 0x00];

/** gzip of `mib` MiB of zeros (≥ 1); `trailerSize` overwrites the trailer's ISIZE (a lying trailer). */
export function gzipOfZerosSync(mib: number, trailerSize?: number): Uint8Array {
  const zeros = new Uint8Array(MiB);
  const sync = { level: 9, finishFlush: constants.Z_SYNC_FLUSH };
  const first = deflateRawSync(zeros, sync);
  // Every later MiB follows at least a MiB of zeros, so one segment compressed against zeros fits them all.
  const next = deflateRawSync(zeros, { ...sync, dictionary: zeros.subarray(0, 32 * 1024) });
  const crcMiB = crc32(zeros);
  let crc = crcMiB;
  for (let i = 1; i < mib; i++) crc = crc32Combine(crc, crcMiB, MiB);
  const size = GZIP_HEADER.length + first.length + (mib - 1) * next.length + FINAL_EMPTY_BLOCK.length + 8;
  const out = new Uint8Array(size);
  out.set(GZIP_HEADER);
  let at = GZIP_HEADER.length;
  out.set(first, at);
  at += first.length;
  for (let i = 1; i < mib; i++, at += next.length) out.set(next, at);
  out.set(FINAL_EMPTY_BLOCK, at);
  const trailer = new DataView(out.buffer, size - 8);
  trailer.setUint32(0, crc, true);
  trailer.setUint32(4, trailerSize ?? (mib * MiB) % 2 ** 32, true);
  return out;
}
